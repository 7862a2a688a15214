package dev.lmlab.inference.activations;

import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tokenizer.ChatMessage;
import dev.lmlab.core.tokenizer.ChatTemplate;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.inference.text.Prompts;
import dev.lmlab.platform.web.ApiException;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One input to capture activations of, in any of the forms requests and JSONL datasets use: a string; {@code
 * {text}}; {@code {prompt, response}}; {@code {messages}} (a final assistant turn is the response); {@code
 * {input_ids, prompt_length}}.
 */
public final class ActivationInputs {

    private ActivationInputs() {}

    public static ActivationCapture.Input parse(LanguageModel model, JsonNode item, String field) {
        if (item.isString()) {
            long[] ids = Prompts.encode(model, item, field);
            return new ActivationCapture.Input(ids, ids.length);
        }
        if (!item.isObject()) {
            throw Fields.invalid(field, field + " must be a string or an object");
        }
        if (Fields.has(item, "input_ids")) {
            long[] ids = Prompts.check(model, Prompts.ids(item.get("input_ids"), field + ".input_ids"), field);
            int prompt = Fields.integer(item, "prompt_length", ids.length, 0, ids.length);
            return new ActivationCapture.Input(ids, prompt);
        }
        if (Fields.has(item, "messages")) {
            List<ChatMessage> turns = Prompts.messages(item.get("messages"), field + ".messages");
            boolean answered = turns.get(turns.size() - 1).role().equals("assistant");
            try {
                String whole = model.tokenizer().applyChatTemplate(turns, !answered);
                long[] ids = Prompts.check(model, model.tokenizer().encode(whole), field);
                if (!answered) {
                    return new ActivationCapture.Input(ids, ids.length);
                }
                String prompt = model.tokenizer().applyChatTemplate(turns.subList(0, turns.size() - 1), true);
                int promptLength = Math.min(ids.length, model.tokenizer().encode(prompt).length);
                return new ActivationCapture.Input(ids, promptLength);
            } catch (ChatTemplate.ChatTemplateException e) {
                throw ApiException.badRequest("chat-template", e.getMessage()).with("field", field);
            }
        }
        if (Fields.has(item, "prompt")) {
            long[] prompt = model.tokenizer().encodePrompt(Fields.string(item, "prompt", ""));
            long[] response = model.tokenizer().encode(Fields.string(item, "response", ""));
            long[] ids = new long[prompt.length + response.length];
            System.arraycopy(prompt, 0, ids, 0, prompt.length);
            System.arraycopy(response, 0, ids, prompt.length, response.length);
            return new ActivationCapture.Input(Prompts.check(model, ids, field), prompt.length);
        }
        if (Fields.has(item, "text")) {
            long[] ids = Prompts.encode(model, item.get("text"), field + ".text");
            return new ActivationCapture.Input(ids, ids.length);
        }
        throw Fields.invalid(field, field + " needs text, prompt (+ response), messages or input_ids");
    }
}

package dev.lmlab.inference.text;

import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tokenizer.ChatMessage;
import dev.lmlab.core.tokenizer.ChatTemplate;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Turns what requests send (text, a chat, or token ids) into the token ids a model reads, and checks them: ids
 * inside the vocabulary, no mask token for a causal model, something to read at all.
 */
public final class Prompts {

    private Prompts() {}

    /** A prompt given as text or as a list of token ids (OpenAI's completions API allows both). */
    public static long[] encode(LanguageModel model, JsonNode prompt, String field) {
        if (prompt == null || prompt.isNull() || prompt.isMissingNode()) {
            throw ApiException.badRequest("prompt-required", "'" + field + "' is required")
                    .with("field", field);
        }
        if (prompt.isString()) {
            return check(model, model.tokenizer().encodePrompt(prompt.asString()), field);
        }
        if (prompt.isArray()) {
            return check(model, ids(prompt, field), field);
        }
        throw ApiException.badRequest(
                        "invalid-prompt", "'" + field + "' must be a string or a list of token ids, got " + prompt)
                .with("field", field);
    }

    /** A list of token ids. */
    public static long[] ids(JsonNode array, String field) {
        long[] ids = new long[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber()) {
                throw ApiException.badRequest(
                                "invalid-token-ids",
                                "'" + field + "' must hold integer token ids; item " + i + " is " + id)
                        .with("field", field);
            }
            ids[i] = id.asLong();
        }
        return ids;
    }

    /** A conversation rendered with the checkpoint's chat template, ending with the assistant's turn. */
    public static long[] chat(LanguageModel model, JsonNode messages, String field) {
        List<ChatMessage> turns = messages(messages, field);
        try {
            return check(model, model.tokenizer().encodeChat(turns), field);
        } catch (ChatTemplate.ChatTemplateException e) {
            throw ApiException.badRequest("chat-template", e.getMessage()).with("field", field);
        }
    }

    public static List<ChatMessage> messages(JsonNode messages, String field) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.badRequest(
                            "messages-required", "'" + field + "' must be a non-empty list of {role," + " content}")
                    .with("field", field);
        }
        List<ChatMessage> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isString()) {
                throw ApiException.badRequest("invalid-message", field + "[" + i + "] needs a string 'role'")
                        .with("field", field);
            }
            turns.add(new ChatMessage(role.asString(), text(content, field + "[" + i + "].content")));
        }
        return turns;
    }

    /** Message content as a string, or OpenAI's list of parts of which the text parts are joined. */
    private static String text(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder out = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asString(""))) {
                    throw ApiException.badRequest(
                                    "unsupported-content", field + ": only text parts are supported, got " + part)
                            .with("field", field);
                }
                out.append(part.path("text").asString(""));
            }
            return out.toString();
        }
        throw ApiException.badRequest("invalid-message", field + " must be a string or a list of text parts")
                .with("field", field);
    }

    /** Refuses ids outside the vocabulary, an empty prompt and, for causal models, the mask token. */
    public static long[] check(LanguageModel model, long[] ids, String field) {
        if (ids.length == 0) {
            throw ApiException.badRequest("empty-prompt", "'" + field + "' encodes to no tokens")
                    .with("field", field);
        }
        int vocab = model.config().vocabSize();
        Long mask = maskId(model);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw ApiException.badRequest(
                                "token-out-of-vocabulary",
                                "token id " + ids[i] + " at position " + i + " is outside the vocabulary of " + vocab)
                        .with("field", field);
            }
            if (!model.config().maskedDiffusion() && mask != null && ids[i] == mask) {
                throw ApiException.badRequest(
                                "mask-token-in-causal-request",
                                "position " + i + " holds the mask token (" + mask + "); "
                                        + model.config().architecture() + " is a causal model and never saw it")
                        .with("field", field);
            }
        }
        return ids;
    }

    /** The model's mask token id: the config's, else the tokenizer's. */
    public static Long maskId(LanguageModel model) {
        if (model.config().maskTokenId() != null) {
            return (long) model.config().maskTokenId();
        }
        return model.tokenizer().specials().maskId();
    }
}

package dev.lmlab.eval.protocol;

import dev.lmlab.eval.benchmark.PromptTemplate;
import dev.lmlab.eval.target.Message;
import dev.lmlab.eval.target.Reply;
import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** One rendered prompt, one response: as a raw completion, or as a chat turn after an optional system prompt. */
final class SingleTurn implements Protocol {

    private final PromptTemplate template;
    private final String systemPrompt;
    private final boolean chat;

    SingleTurn(PromptTemplate template, String systemPrompt, boolean chat) {
        this.template = template;
        this.systemPrompt = systemPrompt;
        this.chat = chat;
    }

    @Override
    public void checkItem(ObjectNode item) {
        List<String> missing = template.missing(item);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the prompt template needs " + missing + ", which this item lacks");
        }
    }

    @Override
    public Session run(Target target, ObjectNode item, Sampling sampling, long seed)
            throws TargetException, InterruptedException {
        String prompt = template.render(item);
        List<Turn> transcript = new ArrayList<>();
        Reply reply;
        if (chat) {
            List<Message> messages = new ArrayList<>();
            if (systemPrompt != null) {
                messages.add(Message.system(systemPrompt));
                transcript.add(new Turn("prompt", "system", systemPrompt, false));
            }
            messages.add(Message.user(prompt));
            reply = target.chat(messages, sampling, seed);
        } else {
            reply = target.complete(prompt, sampling, seed);
        }
        transcript.add(new Turn("prompt", "user", prompt, false));
        transcript.add(new Turn("prompt", "assistant", reply.text(), true));
        Usage usage = new Usage();
        usage.add(reply);
        return new Session(
                prompt,
                transcript,
                reply.text(),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.latencyMillis());
    }
}

package dev.lmlab.eval.protocol;

import dev.lmlab.eval.target.Message;
import dev.lmlab.eval.target.Reply;
import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ImplicitMemBench's protocol: learning (or priming) → interference → test in one conversation. Each phase is a list
 * of turns; a user turn followed by a scripted assistant turn keeps it, any other user turn gets a live reply from
 * the target (so interference really interferes). The test probe is answered once and only that first answer is
 * graded: first-attempt scoring, with no retry and no hint.
 *
 * <p>Item fields: {@code learning} (or {@code priming}) and {@code interference}, lists of {@code {role, content}};
 * {@code test}, the probe; {@code construct} ({@code procedural}, {@code priming}, {@code conditioning}); {@code
 * polarity} ({@code inhibition} or {@code preference}); for priming pairs {@code pair} and {@code condition}
 * ({@code experimental} or {@code control}).
 */
final class ImplicitMemorySession implements Protocol {

    static final Set<String> CONSTRUCTS = Set.of("procedural", "priming", "conditioning");
    static final Set<String> POLARITIES = Set.of("inhibition", "preference");

    private final String systemPrompt;

    ImplicitMemorySession(String systemPrompt) {
        this.systemPrompt = systemPrompt;
    }

    @Override
    public void checkItem(ObjectNode item) {
        String construct = item.path("construct").asString("");
        if (!CONSTRUCTS.contains(construct)) {
            throw new IllegalArgumentException("'construct' is one of " + CONSTRUCTS + ", not '" + construct + "'");
        }
        if (item.has("polarity") && !POLARITIES.contains(item.get("polarity").asString(""))) {
            throw new IllegalArgumentException("'polarity' is one of " + POLARITIES);
        }
        turns(item, "interference");
        if (learning(item).isEmpty()) {
            throw new IllegalArgumentException("a session needs a non-empty 'learning' (or 'priming') phase");
        }
        if (!item.path("test").isString() || item.get("test").asString().isBlank()) {
            throw new IllegalArgumentException("'test' (the probe, a user message) is required");
        }
        if (construct.equals("priming")) {
            String condition = item.path("condition").asString("");
            if (!item.path("pair").isString()
                    || !Set.of("experimental", "control").contains(condition)) {
                throw new IllegalArgumentException(
                        "a priming item names its 'pair' and its 'condition' (experimental or control)");
            }
        }
    }

    @Override
    public Session run(Target target, ObjectNode item, Sampling sampling, long seed)
            throws TargetException, InterruptedException {
        List<Message> messages = new ArrayList<>();
        List<Turn> transcript = new ArrayList<>();
        if (systemPrompt != null) {
            messages.add(Message.system(systemPrompt));
            transcript.add(new Turn("system", "system", systemPrompt, false));
        }
        Usage usage = new Usage();
        long call = seed;
        call = play("learning", learning(item), messages, transcript, target, sampling, call, usage);
        call = play("interference", turns(item, "interference"), messages, transcript, target, sampling, call, usage);

        // the test: the first answer is the one that counts
        String probe = item.get("test").asString();
        messages.add(Message.user(probe));
        transcript.add(new Turn("test", "user", probe, false));
        Reply first = target.chat(messages, sampling, call);
        usage.add(first);
        transcript.add(new Turn("test", "assistant", first.text(), true));
        return new Session(
                probe, transcript, first.text(), usage.promptTokens(), usage.completionTokens(), usage.latencyMillis());
    }

    private static long play(
            String phase,
            List<Message> turns,
            List<Message> messages,
            List<Turn> transcript,
            Target target,
            Sampling sampling,
            long seed,
            Usage usage)
            throws TargetException, InterruptedException {
        long next = seed;
        for (int i = 0; i < turns.size(); i++) {
            Message turn = turns.get(i);
            messages.add(turn);
            transcript.add(new Turn(phase, turn.role(), turn.content(), false));
            boolean scriptedReply =
                    i + 1 < turns.size() && turns.get(i + 1).role().equals("assistant");
            if (turn.role().equals("user") && !scriptedReply) {
                Reply reply = target.chat(messages, sampling, next++);
                usage.add(reply);
                messages.add(Message.assistant(reply.text()));
                transcript.add(new Turn(phase, "assistant", reply.text(), true));
            }
        }
        return next;
    }

    private static List<Message> learning(ObjectNode item) {
        return turns(item, item.has("priming") && !item.has("learning") ? "priming" : "learning");
    }

    private static List<Message> turns(ObjectNode item, String field) {
        JsonNode list = item.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("'" + field + "' is a list of {role, content} turns");
        }
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String role = t.path("role").asString("");
            if (!Set.of("user", "assistant").contains(role)
                    || !t.path("content").isString()) {
                throw new IllegalArgumentException(
                        "'" + field + "'[" + i + "] must be {\"role\": \"user\"|\"assistant\", \"content\": \"...\"}");
            }
            turns.add(new Message(role, t.get("content").asString()));
        }
        return turns;
    }
}

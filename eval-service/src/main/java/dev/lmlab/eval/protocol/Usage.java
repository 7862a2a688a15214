package dev.lmlab.eval.protocol;

import dev.lmlab.eval.target.Reply;

/** Token counts and time summed over the calls of one trial; a count stays null if any call reported none. */
final class Usage {

    private Integer promptTokens = 0;
    private Integer completionTokens = 0;
    private long latencyMillis;

    void add(Reply reply) {
        promptTokens =
                promptTokens == null || reply.promptTokens() == null ? null : promptTokens + reply.promptTokens();
        completionTokens = completionTokens == null || reply.completionTokens() == null
                ? null
                : completionTokens + reply.completionTokens();
        latencyMillis += reply.latencyMillis();
    }

    Integer promptTokens() {
        return promptTokens;
    }

    Integer completionTokens() {
        return completionTokens;
    }

    long latencyMillis() {
        return latencyMillis;
    }
}

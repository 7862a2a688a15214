package dev.lmlab.core.generate;

import java.util.List;

/**
 * One row's result.
 *
 * @param tokenIds the generated ids (a stop sequence's tokens, and the eos token, are not included)
 * @param finishReason {@code stop} (eos, a stop id or a stop string) or {@code length}
 * @param logprobs per generated token, when asked for
 */
public record Generation(
        long[] promptIds, long[] tokenIds, String text, String finishReason, List<TokenLogprob> logprobs) {

    /** The chosen token's log-probability under the model, with the most likely alternatives. */
    public record TokenLogprob(long token, String text, double logprob, List<Alternative> top) {}

    public record Alternative(long token, String text, double logprob) {}
}

package dev.lmlab.core.generate;

import java.util.List;
import java.util.Set;

/**
 * How to pick tokens. Temperature 0 is greedy. Processing follows transformers' order: repetition penalty,
 * temperature, top-k, top-p, then a draw from a generator seeded per row, so the same seed always gives the
 * same text whatever else is in the batch.
 *
 * @param maxNewTokens tokens to generate at most per row
 * @param topK keep the k most likely tokens (0: off)
 * @param topP keep the smallest set whose probability reaches p (1: off)
 * @param repetitionPenalty CTRL-style: logits of tokens already in the row divided (or, if negative, multiplied)
 *     by this (1: off)
 * @param stop strings that end a row's generation (not included in its text)
 * @param stopTokenIds token ids that end a row's generation besides the tokenizer's eos ids
 * @param seed seed of row 0; row i uses seed + i
 * @param topLogprobs how many alternatives to report per generated token (0: none)
 */
public record SamplingParams(
        int maxNewTokens,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        List<String> stop,
        Set<Long> stopTokenIds,
        long seed,
        int topLogprobs) {

    public SamplingParams {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 or more, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be 0 (off) or more, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty must be positive, got " + repetitionPenalty);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        stopTokenIds = stopTokenIds == null ? Set.of() : Set.copyOf(stopTokenIds);
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be 0..20, got " + topLogprobs);
        }
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 0, 1, 1, List.of(), Set.of(), 0, 0);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}

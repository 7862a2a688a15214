package dev.lmlab.eval.target;

import java.util.List;

/**
 * How a target samples one response.
 *
 * @param steps denoising steps, for diffusion models of the inference service (null: the model's default)
 * @param blockLength semi-autoregressive block length, for diffusion models (null: the model's default)
 * @param stop stop strings; empty for none
 */
public record Sampling(int maxTokens, double temperature, Integer steps, Integer blockLength, List<String> stop) {

    public Sampling {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Temperature 0: what judges use, so a verdict is the same every time it is asked. */
    public static Sampling greedy(int maxTokens) {
        return new Sampling(maxTokens, 0, null, null, List.of());
    }
}

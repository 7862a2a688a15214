package dev.lmlab.core.train;

import java.util.Arrays;

/**
 * One training sequence: a prompt and a response, as token ids. For trajectory objectives, {@code decodingOrder}
 * gives, per response position, the denoising step at which the model unmasked it (TABOM's self-distilled
 * trajectory); null otherwise.
 */
public record TrainingExample(long[] prompt, long[] response, int[] decodingOrder) {

    public TrainingExample {
        if (prompt == null || response == null) {
            throw new IllegalArgumentException(
                    "a training example needs prompt and response ids (either may be empty)");
        }
        if (prompt.length + response.length == 0) {
            throw new IllegalArgumentException("a training example needs at least one token");
        }
        if (decodingOrder != null) {
            if (decodingOrder.length != response.length) {
                throw new IllegalArgumentException("decoding order has " + decodingOrder.length + " entries for "
                        + response.length + " response tokens");
            }
            if (Arrays.stream(decodingOrder).anyMatch(step -> step < 0)) {
                throw new IllegalArgumentException("decoding order steps start at 0; found a negative one");
            }
        }
    }

    public static TrainingExample of(long[] prompt, long[] response) {
        return new TrainingExample(prompt, response, null);
    }

    public int length() {
        return prompt.length + response.length;
    }

    /** Steps in the trajectory: the last step any position was unmasked at, plus one. */
    public int trajectorySteps() {
        return decodingOrder == null ? 0 : Arrays.stream(decodingOrder).max().orElse(-1) + 1;
    }
}

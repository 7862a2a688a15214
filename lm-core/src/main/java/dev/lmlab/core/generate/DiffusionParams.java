package dev.lmlab.core.generate;

/**
 * Masked-diffusion decoding, as LLaDA's reference {@code generate()} does it, plus Fast-dLLM's additions.
 *
 * @param genLength response positions to fill (all start as mask tokens)
 * @param steps denoising steps in all; split evenly over the blocks
 * @param blockLength semi-autoregressive block size: blocks are filled left to right (genLength when 0)
 * @param remasking which predictions to keep each step: the most confident ({@code LOW_CONFIDENCE}), or random
 * @param temperature Gumbel noise on the logits (0: argmax)
 * @param cfgScale classifier-free guidance: logits = uncond + (scale + 1)(cond − uncond), uncond with the prompt
 *     masked (0: off)
 * @param threshold Fast-dLLM parallel unmasking: keep every prediction whose confidence exceeds this (at least
 *     one per step), instead of a fixed count; null for the reference schedule
 * @param useCache block-wise prefix KV cache (Fast-dLLM): keys and values of the positions before the current
 *     block are computed once per block and reused by its later steps; an approximation, as those positions
 *     also attend to the still-changing block
 * @param returnTrajectory record each step's unmasked positions, tokens, confidences and entropies
 * @param seed seed of the noise (temperature, random remasking)
 */
public record DiffusionParams(
        int genLength,
        int steps,
        int blockLength,
        Remasking remasking,
        double temperature,
        double cfgScale,
        Double threshold,
        boolean useCache,
        boolean returnTrajectory,
        long seed) {

    public enum Remasking {
        LOW_CONFIDENCE,
        RANDOM
    }

    public DiffusionParams {
        if (genLength < 1) {
            throw new IllegalArgumentException("gen_length must be at least 1, got " + genLength);
        }
        blockLength = blockLength <= 0 ? genLength : blockLength;
        if (genLength % blockLength != 0) {
            throw new IllegalArgumentException(
                    "gen_length " + genLength + " must be a multiple of block_length " + blockLength);
        }
        int blocks = genLength / blockLength;
        if (steps < blocks || steps % blocks != 0) {
            throw new IllegalArgumentException("steps " + steps + " must be a positive multiple of the number of"
                    + " blocks (" + blocks + " = gen_length / block_length)");
        }
        if (remasking == null) {
            remasking = Remasking.LOW_CONFIDENCE;
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 or more, got " + temperature);
        }
        if (!(cfgScale >= 0) || Double.isInfinite(cfgScale)) {
            throw new IllegalArgumentException("cfg_scale must be 0 or more, got " + cfgScale);
        }
        if (threshold != null && !(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
    }

    public int blocks() {
        return genLength / blockLength;
    }

    public int stepsPerBlock() {
        return steps / blocks();
    }

    public static DiffusionParams reference(int genLength, int steps, int blockLength) {
        return new DiffusionParams(genLength, steps, blockLength, Remasking.LOW_CONFIDENCE, 0, 0, null, false, true, 0);
    }
}

package dev.lmlab.core.generate;

/**
 * One denoising step: which positions were unmasked (absolute in the sequence, ascending), to which tokens, with
 * what confidence; and the predictive entropy (nats) of every position that was still masked when the step
 * began, this step's ones included.
 */
public record TrajectoryStep(
        int step,
        int block,
        int[] positions,
        long[] tokens,
        float[] confidences,
        int[] maskedPositions,
        float[] maskedEntropies) {}

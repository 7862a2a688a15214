package dev.lmlab.core.train;

/**
 * Linear warmup to the peak, then cosine decay to {@code minRatio × peak} at {@code totalSteps}; constant at the
 * floor afterwards. Steps count optimizer updates from 0.
 */
public record LearningRate(double peak, long warmupSteps, long totalSteps, double minRatio) {

    public LearningRate {
        if (!(peak > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        }
        if (warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "need 0 <= warmup (" + warmupSteps + ") <= total steps (" + totalSteps + ")");
        }
    }

    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (step >= totalSteps) {
            return peak * minRatio;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}

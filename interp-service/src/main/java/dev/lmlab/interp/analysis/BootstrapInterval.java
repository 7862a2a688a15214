package dev.lmlab.interp.analysis;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of a mean: resample the values with replacement, take each resample's mean, and read the
 * interval off the quantiles of those means. Seeded, so a run repeats exactly.
 */
public final class BootstrapInterval {

    private BootstrapInterval() {}

    /** @return {lo, hi}, the 2.5th and 97.5th percentiles of the resampled means */
    public static double[] interval95(double[] values, int resamples, long seed) {
        return interval(values, resamples, seed, 0.95);
    }

    public static double[] interval(double[] values, int resamples, long seed, double confidence) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a bootstrap interval needs at least one value");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("a bootstrap interval needs at least 1 resample, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must lie in (0, 1), got " + confidence);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int n = values.length;
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[random.nextInt(n)];
            }
            means[b] = sum / n;
        }
        Arrays.sort(means);
        double tail = (1 - confidence) / 2;
        return new double[] {percentile(means, tail), percentile(means, 1 - tail)};
    }

    /** The q-quantile of sorted values, interpolating linearly between neighbouring order statistics. */
    public static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("a percentile needs at least one value");
        }
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}

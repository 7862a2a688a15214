package dev.lmlab.eval.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap intervals for a mean over items: resample the items with replacement, take the mean, read the
 * 2.5th and 97.5th percentiles. Seeded, so a report reads the same every time it is drawn. Paired comparisons pass
 * per-item differences, which keeps the pairing.
 */
public final class Bootstrap {

    public static final int RESAMPLES = 2000;
    private static final long SEED = 20261204L;

    private Bootstrap() {}

    /** [low, high] of the 95% interval of the mean; [mean, mean] for fewer than two values, null for none. */
    public static double[] interval95(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double mean = Arrays.stream(values).average().orElse(0);
        if (values.length == 1) {
            return new double[] {mean, mean};
        }
        SplittableRandom random = new SplittableRandom(SEED);
        double[] means = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            double sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += values[random.nextInt(values.length)];
            }
            means[r] = sum / values.length;
        }
        Arrays.sort(means);
        return new double[] {percentile(means, 0.025), percentile(means, 0.975)};
    }

    /** Linear interpolation between order statistics (numpy's default). */
    static double percentile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    public static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }
}

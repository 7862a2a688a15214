package dev.lmlab.launcher.tabom;

import java.util.Locale;

/** Mean with a 95% confidence interval from Student's t over a handful of seeds. */
record Stats(double mean, double halfWidth, int n) {

    /** Two-sided 97.5% quantiles of Student's t for 1..10 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228};

    static Stats of(double[] values) {
        int n = values.length;
        double mean = 0;
        for (double v : values) {
            mean += v / n;
        }
        if (n < 2) {
            return new Stats(mean, Double.NaN, n);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
        return new Stats(mean, t * sd / Math.sqrt(n), n);
    }

    /** The per-seed differences {@code a[i] − b[i]}: runs with the same seed saw the same data order. */
    static Stats paired(double[] a, double[] b) {
        double[] d = new double[Math.min(a.length, b.length)];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return of(d);
    }

    /** Whether the interval excludes zero (for a paired difference: a difference the seeds agree on). */
    boolean excludesZero() {
        return !Double.isNaN(halfWidth) && (low() > 0 || high() < 0);
    }

    double low() {
        return mean - halfWidth;
    }

    double high() {
        return mean + halfWidth;
    }

    /** Whether this interval lies wholly above {@code other}'s. */
    boolean above(Stats other) {
        return !Double.isNaN(halfWidth) && !Double.isNaN(other.halfWidth) && low() > other.high();
    }

    /** A signed difference: {@code +0.075 ± 0.031}. */
    String signed() {
        return Double.isNaN(halfWidth)
                ? String.format(Locale.ROOT, "%+.3f", mean)
                : String.format(Locale.ROOT, "%+.3f ± %.3f", mean, halfWidth);
    }

    @Override
    public String toString() {
        return Double.isNaN(halfWidth)
                ? String.format(Locale.ROOT, "%.3f", mean)
                : String.format(Locale.ROOT, "%.3f ± %.3f", mean, halfWidth);
    }
}

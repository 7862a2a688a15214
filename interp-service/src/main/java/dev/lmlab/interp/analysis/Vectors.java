package dev.lmlab.interp.analysis;

/** Dense vector arithmetic on {@code double[]} of one width D. */
final class Vectors {

    private Vectors() {}

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** NaN when either side is zero: a zero vector has no direction to compare. */
    static double cosine(double[] a, double[] b) {
        double denominator = norm(a) * norm(b);
        return denominator == 0 ? Double.NaN : Math.max(-1, Math.min(1, dot(a, b) / denominator));
    }

    static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    static double[] scaled(double[] a, double factor) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * factor;
        }
        return out;
    }

    /** The mean of the chosen rows of a matrix: (D). */
    static double[] meanOf(double[][] rows, int[] chosen) {
        double[] mean = new double[rows[chosen[0]].length];
        for (int r : chosen) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += rows[r][j];
            }
        }
        return scaled(mean, 1.0 / chosen.length);
    }
}

package dev.lmlab.core.sae;

/**
 * Centres of a sample of activations, where b_dec starts: the mean, or the geometric median (the point with the least
 * summed distance to the rows), which a few outlying rows (attention sinks, the first token's huge norm) move far less.
 */
public final class Centres {

    /** Weiszfeld iterations run at most this often; they usually stop far earlier. */
    public static final int MAX_ITERATIONS = 200;

    private Centres() {}

    /** The per-dimension mean, in double precision. */
    public static double[] mean(float[][] rows) {
        int d = width(rows);
        double[] mean = new double[d];
        for (float[] row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= rows.length;
        }
        return mean;
    }

    /**
     * The geometric median by Weiszfeld's iterations from the mean: y ← Σ wᵢxᵢ / Σ wᵢ with wᵢ = 1 / ‖xᵢ − y‖, until y
     * moves less than 1e-7 of the sample's spread. A row that coincides with y gets a large finite weight instead of
     * an infinite one (the usual guard; the iteration still converges to the median or to that row).
     */
    public static double[] geometricMedian(float[][] rows) {
        int d = width(rows);
        double[] y = mean(rows);
        double spread = 0;
        for (float[] row : rows) {
            spread += Math.sqrt(squaredDistance(row, y));
        }
        spread /= rows.length;
        double tolerance = Math.max(spread * 1e-7, 1e-30);
        double floor = Math.max(spread * 1e-12, 1e-30);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] next = new double[d];
            double weights = 0;
            for (float[] row : rows) {
                double w = 1 / Math.max(Math.sqrt(squaredDistance(row, y)), floor);
                weights += w;
                for (int j = 0; j < d; j++) {
                    next[j] += w * row[j];
                }
            }
            double moved = 0;
            for (int j = 0; j < d; j++) {
                next[j] /= weights;
                moved += (next[j] - y[j]) * (next[j] - y[j]);
            }
            y = next;
            if (Math.sqrt(moved) < tolerance) {
                break;
            }
        }
        return y;
    }

    private static double squaredDistance(float[] row, double[] y) {
        double sum = 0;
        for (int j = 0; j < y.length; j++) {
            double diff = row[j] - y[j];
            sum += diff * diff;
        }
        return sum;
    }

    private static int width(float[][] rows) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException("a centre needs at least one row");
        }
        int d = rows[0].length;
        for (int i = 1; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + d);
            }
        }
        return d;
    }
}

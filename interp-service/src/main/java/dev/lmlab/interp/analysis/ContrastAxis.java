package dev.lmlab.interp.analysis;

/**
 * The direction from the broad labels to the specific ones: the mean of the label means at the top levels minus the
 * mean of those at the bottom levels, each label counting once however many rows it has.
 */
final class ContrastAxis {

    private ContrastAxis() {}

    /**
     * @param topFrom the top end is every level at or above this index
     * @param bottomTo the bottom end is every level at or below this index
     * @return the axis, (D), not normalised; null when either end has no labels
     */
    static double[] between(LabelMeans means, int topFrom, int bottomTo) {
        double[] top = new double[means.width()];
        double[] bottom = new double[means.width()];
        int tops = 0;
        int bottoms = 0;
        for (int i = 0; i < means.size(); i++) {
            int level = means.levelOf()[i];
            if (level >= topFrom) {
                add(top, means.means()[i]);
                tops++;
            }
            if (level <= bottomTo) {
                add(bottom, means.means()[i]);
                bottoms++;
            }
        }
        if (tops == 0 || bottoms == 0) {
            return null;
        }
        return Vectors.minus(Vectors.scaled(top, 1.0 / tops), Vectors.scaled(bottom, 1.0 / bottoms));
    }

    /** Each label mean's coordinate along the unit axis, (M); all NaN for a zero axis, which has no direction. */
    static double[] projections(LabelMeans means, double[] axis) {
        double norm = Vectors.norm(axis);
        double[] out = new double[means.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = norm == 0 ? Double.NaN : Vectors.dot(means.means()[i], axis) / norm;
        }
        return out;
    }

    /** Spearman's ρ between level index and projection across the labels; NaN when the axis has no direction. */
    static double levelOrdering(LabelMeans means, double[] projections) {
        for (double p : projections) {
            if (Double.isNaN(p)) {
                return Double.NaN;
            }
        }
        return Spearman.rho(means.levelScores(), projections);
    }

    private static void add(double[] sum, double[] row) {
        for (int j = 0; j < sum.length; j++) {
            sum[j] += row[j];
        }
    }
}

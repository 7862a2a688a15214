package dev.lmlab.interp.analysis;

/**
 * One set of label means read against its top-minus-bottom axis: where each label falls on it, whether labels order
 * by level along it (ρ), and whether it is the main direction in which the label means vary (cosine with PC1).
 *
 * @param axis (D), not normalised
 * @param projections each label's coordinate on the unit axis: (M)
 * @param rho Spearman's ρ between level index and projection, NaN when undefined
 * @param cosAxisPc1 signed cosine between the axis and the first principal component, NaN when either is missing
 */
record ContrastFit(LabelMeans means, double[] axis, double[] projections, double rho, Pca pca, double cosAxisPc1) {

    /** @param levelCount L; the ends are the levels L − 1 and 0, and both must have labels */
    static ContrastFit of(LabelMeans means, int levelCount, int components) {
        double[] axis = ContrastAxis.between(means, levelCount - 1, 0);
        if (axis == null) {
            throw new IllegalStateException("both end levels need labels to fit an axis");
        }
        double[] projections = ContrastAxis.projections(means, axis);
        Pca pca = Pca.fit(means.means(), components);
        double cos = pca.components().length == 0 ? Double.NaN : Vectors.cosine(axis, pca.components()[0]);
        return new ContrastFit(means, axis, projections, ContrastAxis.levelOrdering(means, projections), pca, cos);
    }

    double axisNorm() {
        return Vectors.norm(axis);
    }

    /** The share of the variance along PC1, NaN when the label means do not vary. */
    double pc1Share() {
        double[] ratio = pca.explainedVarianceRatio();
        return ratio.length == 0 ? Double.NaN : ratio[0];
    }
}

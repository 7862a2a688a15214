package dev.lmlab.interp.analysis;

/**
 * Principal components of a few rows in a wide space, such as M label means of width D = 4096. The rows are centred
 * and the smaller of the two Gram matrices is diagonalised: XXᵀ (M, M) when M ≤ D, whose eigenvectors u give the
 * components as Xᵀu / ‖Xᵀu‖, else XᵀX (D, D), whose eigenvectors are the components themselves.
 */
public final class Pca {

    /**
     * Eigenvalues this far below the largest are rounding: the Gram matrix carries errors of about ε·λ₁, so a
     * direction below it would be noise. Centred rows have rank at most M − 1, so at least one always falls here.
     */
    private static final double RANK_TOLERANCE = 1e-10;

    private final double[][] components;
    private final double[] singularValues;
    private final double[] explainedVarianceRatio;

    private Pca(double[][] components, double[] singularValues, double[] explainedVarianceRatio) {
        this.components = components;
        this.singularValues = singularValues;
        this.explainedVarianceRatio = explainedVarianceRatio;
    }

    /**
     * @param rows (M, D), M ≥ 1
     * @param components how many to keep, K ≥ 1; fewer come back when the rows span fewer directions
     */
    public static Pca fit(double[][] rows, int components) {
        if (rows.length == 0 || rows[0].length == 0) {
            throw new IllegalArgumentException("PCA needs at least one row of width at least 1");
        }
        if (components < 1) {
            throw new IllegalArgumentException("PCA needs at least 1 component, got " + components);
        }
        int m = rows.length;
        int d = rows[0].length;
        for (double[] row : rows) {
            if (row.length != d) {
                throw new IllegalArgumentException("PCA rows differ in width: " + row.length + " and " + d);
            }
        }

        // centre the rows, and the total variance every ratio is taken over: (M, D)
        double[][] x = centred(rows);
        double total = 0;
        for (double[] row : x) {
            total += Vectors.dot(row, row);
        }

        // eigen-decompose the smaller Gram matrix: (M, M) or (D, D)
        boolean byRows = m <= d;
        SymmetricEigen eigen = SymmetricEigen.of(byRows ? gramOfRows(x) : gramOfColumns(x));
        double largest = eigen.values[0];
        int kept = 0;
        while (kept < Math.min(components, eigen.values.length)
                && largest > 0
                && eigen.values[kept] > RANK_TOLERANCE * largest) {
            kept++;
        }

        // components (K, D), their singular values and shares of the variance (K)
        double[][] vectors = new double[kept][];
        double[] singular = new double[kept];
        double[] ratio = new double[kept];
        for (int k = 0; k < kept; k++) {
            double[] v = byRows ? rowSpaceDirection(x, eigen.vectors, k) : column(eigen.vectors, k);
            vectors[k] = signFixed(Vectors.scaled(v, 1 / Vectors.norm(v)));
            singular[k] = Math.sqrt(eigen.values[k]);
            ratio[k] = eigen.values[k] / total;
        }
        return new Pca(vectors, singular, ratio);
    }

    /** Unit vectors, largest variance first, each signed so that its largest-magnitude entry is positive: (K, D). */
    public double[][] components() {
        double[][] copy = new double[components.length][];
        for (int k = 0; k < components.length; k++) {
            copy[k] = components[k].clone();
        }
        return copy;
    }

    /** Each component's share of the total variance of all components; all of them would sum to 1: (K). */
    public double[] explainedVarianceRatio() {
        return explainedVarianceRatio.clone();
    }

    /** The singular values of the centred rows: (K). */
    public double[] singularValues() {
        return singularValues.clone();
    }

    private static double[][] centred(double[][] rows) {
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / rows.length;
            }
        }
        double[][] x = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            x[i] = Vectors.minus(rows[i], mean);
        }
        return x;
    }

    // XXᵀ: (M, M)
    private static double[][] gramOfRows(double[][] x) {
        int m = x.length;
        double[][] g = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                g[i][j] = Vectors.dot(x[i], x[j]);
                g[j][i] = g[i][j];
            }
        }
        return g;
    }

    // XᵀX: (D, D)
    private static double[][] gramOfColumns(double[][] x) {
        int d = x[0].length;
        double[][] g = new double[d][d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    g[i][j] += row[i] * row[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                g[i][j] = g[j][i];
            }
        }
        return g;
    }

    // Xᵀu for the k-th eigenvector u of XXᵀ: (D)
    private static double[] rowSpaceDirection(double[][] x, double[][] u, int k) {
        double[] v = new double[x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < v.length; j++) {
                v[j] += u[i][k] * x[i][j];
            }
        }
        return v;
    }

    private static double[] column(double[][] vectors, int k) {
        double[] v = new double[vectors.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = vectors[i][k];
        }
        return v;
    }

    // a component's sign is arbitrary; fixing it by the largest entry makes runs and machines agree
    private static double[] signFixed(double[] v) {
        int largest = 0;
        for (int j = 1; j < v.length; j++) {
            if (Math.abs(v[j]) > Math.abs(v[largest])) {
                largest = j;
            }
        }
        return v[largest] < 0 ? Vectors.scaled(v, -1) : v;
    }
}

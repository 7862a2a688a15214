package dev.lmlab.interp.analysis;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations: each rotation zeroes one
 * off-diagonal entry, and sweeps repeat until no entry is left above rounding. Slow for large matrices (O(n³) per
 * sweep) but accurate, which is what PCA on a few dozen label means needs.
 */
final class SymmetricEigen {

    private static final int MAX_SWEEPS = 100;

    /** Off-diagonal entries this far below the matrix norm are treated as zero; they move no eigenvalue visibly. */
    private static final double NEGLIGIBLE = 1e-18;

    /** Eigenvalues, largest first: (n). */
    final double[] values;

    /** Eigenvectors as columns, {@code vectors[i][k]} the i-th entry of the k-th: (n, n). */
    final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    static SymmetricEigen of(double[][] symmetric) {
        int n = symmetric.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = symmetric[i].clone();
        }
        double[][] v = new double[n][n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
            for (int j = 0; j < n; j++) {
                norm += a[i][j] * a[i][j];
            }
        }
        double negligible = NEGLIGIBLE * Math.sqrt(norm);

        // sweeps of rotations over every (p, q) above the diagonal, until a sweep finds nothing left to rotate
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) > negligible) {
                        rotate(a, v, p, q);
                        rotated = true;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        return sorted(a, v);
    }

    // the rotation in the (p, q) plane that zeroes a[p][q]; t = tan of its angle, the smaller root for stability
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double apq = a[p][q];
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < a.length; k++) {
            if (k != p && k != q) {
                double akp = a[k][p];
                double akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[p][k] = a[k][p];
                a[k][q] = s * akp + c * akq;
                a[q][k] = a[k][q];
            }
        }
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = 0;
        a[q][p] = 0;
        for (int k = 0; k < v.length; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    private static SymmetricEigen sorted(double[][] a, double[][] v) {
        int n = a.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -a[i][i]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            values[k] = a[order[k]][order[k]];
            for (int i = 0; i < n; i++) {
                vectors[i][k] = v[i][order[k]];
            }
        }
        return new SymmetricEigen(values, vectors);
    }
}

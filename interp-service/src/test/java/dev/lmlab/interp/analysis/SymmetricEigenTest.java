package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;

/** The Jacobi solver against Commons Math, on a symmetric matrix with eigenvalues of both signs. */
class SymmetricEigenTest {

    @Test
    void eigenvaluesAndVectorsMatchCommonsMath() {
        int n = 12;
        Random random = new Random(3);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                a[i][j] = random.nextGaussian();
                a[j][i] = a[i][j];
            }
        }

        SymmetricEigen ours = SymmetricEigen.of(a);
        EigenDecomposition reference = new EigenDecomposition(new Array2DRowRealMatrix(a));
        double[] expected = reference.getRealEigenvalues().clone();
        Arrays.sort(expected);

        for (int k = 0; k < n; k++) {
            assertThat(ours.values[k]).isCloseTo(expected[n - 1 - k], within(1e-12));
            // the vector for this eigenvalue: A v = λ v, to rounding
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = ours.vectors[i][k];
            }
            for (int i = 0; i < n; i++) {
                assertThat(Vectors.dot(a[i], v)).isCloseTo(ours.values[k] * v[i], within(1e-12));
            }
            assertThat(Vectors.norm(v)).isCloseTo(1, within(1e-12));
        }
    }

    @Test
    void aDiagonalMatrixComesBackSorted() {
        SymmetricEigen eigen = SymmetricEigen.of(new double[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 2}});

        assertThat(eigen.values).containsExactly(3, 2, 1);
        assertThat(eigen.vectors[1][0]).isEqualTo(1);
    }
}

package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our PCA (Gram matrix and Jacobi) against EJML's SVD of the same centred rows. */
class PcaTest {

    private static final double TOLERANCE = 1e-9;

    @ParameterizedTest(name = "{0} rows of width {1}")
    @CsvSource({"24, 64", "8, 300", "6, 6", "40, 12", "200, 5", "3, 2"})
    void matchesEjmlSvdOnRandomRows(int m, int d) {
        double[][] rows = gaussian(m, d, 31L * m + d);
        int rank = Math.min(m - 1, d);

        Pca pca = Pca.fit(rows, rank);
        Reference svd = Reference.of(rows);

        assertThat(pca.components()).hasNumberOfRows(rank);
        for (int k = 0; k < rank; k++) {
            assertThat(pca.singularValues()[k]).isCloseTo(svd.singular[k], within(TOLERANCE * svd.singular[0]));
            assertThat(pca.explainedVarianceRatio()[k]).isCloseTo(svd.ratio(k), within(TOLERANCE));
            double[] ours = pca.components()[k];
            for (int j = 0; j < d; j++) {
                assertThat(Math.abs(ours[j])).isCloseTo(Math.abs(svd.v.get(j, k)), within(TOLERANCE));
            }
        }
        assertThat(Arrays.stream(pca.explainedVarianceRatio()).sum()).isCloseTo(1, within(TOLERANCE));
    }

    @Test
    void componentsAreOrthonormalAndSignFixedByTheirLargestEntry() {
        Pca pca = Pca.fit(gaussian(10, 30, 5), 4);
        double[][] c = pca.components();

        for (int a = 0; a < c.length; a++) {
            for (int b = 0; b < c.length; b++) {
                assertThat(Vectors.dot(c[a], c[b])).isCloseTo(a == b ? 1 : 0, within(1e-12));
            }
            double largest = Arrays.stream(c[a]).map(Math::abs).max().orElseThrow();
            assertThat(Arrays.stream(c[a]).filter(v -> v == largest).count()).isEqualTo(1);
        }
        double[] ratio = pca.explainedVarianceRatio();
        assertThat(ratio).isSortedAccordingTo((x, y) -> Double.compare(y, x));
        assertThat(Arrays.stream(ratio).sum()).isLessThan(1);
    }

    @Test
    void keepsOnlyTheDirectionsTheRowsSpan() {
        // three rows span a plane after centring, whatever is asked for; repeated rows add nothing
        double[][] rows = gaussian(3, 50, 9);
        double[][] repeated = {rows[0], rows[1], rows[2], rows[0], rows[1]};

        assertThat(Pca.fit(rows, 10).components()).hasNumberOfRows(2);
        assertThat(Pca.fit(repeated, 10).components()).hasNumberOfRows(2);
        assertThat(Pca.fit(new double[][] {{1, 2}, {1, 2}}, 1).components()).isEmpty();
    }

    @Test
    void aLineOfPointsHasOneComponentAlongIt() {
        double[][] rows = {{0, 0, 0}, {1, 2, 2}, {2, 4, 4}, {-1, -2, -2}};

        Pca pca = Pca.fit(rows, 3);

        assertThat(pca.explainedVarianceRatio()).containsExactly(new double[] {1.0}, within(1e-12));
        assertThat(pca.components()[0]).containsExactly(new double[] {1 / 3.0, 2 / 3.0, 2 / 3.0}, within(1e-12));
    }

    @Test
    void rejectsEmptyRaggedOrNoComponents() {
        assertThatThrownBy(() -> Pca.fit(new double[0][], 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pca.fit(new double[][] {{1, 2}, {3}}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> Pca.fit(new double[][] {{1, 2}}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("component");
    }

    static double[][] gaussian(int m, int d, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[m][d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian() + 0.5; // an offset, so that centring matters
            }
        }
        return rows;
    }

    /** EJML's SVD of the centred rows, singular values in descending order. */
    private record Reference(double[] singular, DMatrixRMaj v) {

        static Reference of(double[][] rows) {
            int m = rows.length;
            int d = rows[0].length;
            DMatrixRMaj x = new DMatrixRMaj(m, d);
            for (int j = 0; j < d; j++) {
                double mean = 0;
                for (double[] row : rows) {
                    mean += row[j] / m;
                }
                for (int i = 0; i < m; i++) {
                    x.set(i, j, rows[i][j] - mean);
                }
            }
            SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, d, false, true, true);
            assertThat(svd.decompose(x)).isTrue();
            DMatrixRMaj v = svd.getV(null, false);
            double[] singular = svd.getSingularValues().clone();
            SingularOps_DDRM.descendingOrder(null, false, singular, svd.numberOfSingularValues(), v, false);
            return new Reference(singular, v);
        }

        double ratio(int k) {
            double total = 0;
            for (double s : singular) {
                total += s * s;
            }
            return singular[k] * singular[k] / total;
        }
    }
}

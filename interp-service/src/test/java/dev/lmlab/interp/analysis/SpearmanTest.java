package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.junit.jupiter.api.Test;

/** Spearman's ρ against Commons Math, whose default ranking also averages ties. */
class SpearmanTest {

    @Test
    void matchesCommonsMathWithManyTies() {
        Random random = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            int n = 3 + random.nextInt(40);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = random.nextInt(4); // levels: heavy ties, as in the analysis
                y[i] = trial % 2 == 0 ? random.nextGaussian() + x[i] : random.nextInt(5);
            }
            if (constant(x) || constant(y)) {
                continue;
            }

            assertThat(Spearman.rho(x, y))
                    .as("trial %d", trial)
                    .isCloseTo(new SpearmansCorrelation().correlation(x, y), within(1e-12));
        }
    }

    @Test
    void ranksAverageTheirTies() {
        assertThat(Spearman.ranks(new double[] {10, 20, 10, 30, 20, 20})).containsExactly(1.5, 4, 1.5, 6, 4, 4);
    }

    @Test
    void perfectOrderIsOneAndReversedIsMinusOne() {
        double[] x = {1, 2, 3, 4};

        assertThat(Spearman.rho(x, new double[] {1, 8, 27, 64})).isEqualTo(1.0);
        assertThat(Spearman.rho(x, new double[] {5, 4, 0, -3})).isEqualTo(-1.0);
    }

    @Test
    void isNaNWhenASideIsConstantOrThereIsOnePair() {
        assertThat(Spearman.rho(new double[] {1, 2, 3}, new double[] {7, 7, 7})).isNaN();
        assertThat(Spearman.rho(new double[] {4, 4}, new double[] {1, 2})).isNaN();
        assertThat(Spearman.rho(new double[] {1}, new double[] {2})).isNaN();
    }

    @Test
    void rejectsUnpairedInput() {
        assertThatThrownBy(() -> Spearman.rho(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
    }

    private static boolean constant(double[] v) {
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }
}

package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BootstrapIntervalTest {

    @Test
    void containsTheMeanAndNarrowsAsTheSampleGrows() {
        double[] small = sample(20, 1);
        double[] large = sample(2000, 2);

        double[] wide = BootstrapInterval.interval95(small, 2000, 7);
        double[] narrow = BootstrapInterval.interval95(large, 2000, 7);

        assertThat(mean(small)).isBetween(wide[0], wide[1]);
        assertThat(mean(large)).isBetween(narrow[0], narrow[1]);
        // the interval's width scales as 1/√n: 10 times narrower for 100 times the values, give or take
        assertThat(narrow[1] - narrow[0]).isLessThan((wide[1] - wide[0]) / 5);
        // for the mean of a standard normal the 95% interval is about ±1.96/√n
        assertThat(narrow[1] - narrow[0]).isCloseTo(2 * 1.96 / Math.sqrt(2000), within(0.02));
    }

    @Test
    void isRepeatableForOneSeedAndMovesWithAnother() {
        double[] values = sample(30, 3);

        assertThat(BootstrapInterval.interval95(values, 500, 1))
                .containsExactly(BootstrapInterval.interval95(values, 500, 1));
        assertThat(BootstrapInterval.interval95(values, 500, 2))
                .isNotEqualTo(BootstrapInterval.interval95(values, 500, 1));
    }

    @Test
    void oneValueOrEqualValuesHaveNoSpread() {
        assertThat(BootstrapInterval.interval95(new double[] {4.5}, 100, 0)).containsExactly(4.5, 4.5);
        assertThat(BootstrapInterval.interval95(new double[] {2, 2, 2}, 100, 0)).containsExactly(2, 2);
    }

    @Test
    void percentilesInterpolateBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4, 5};

        assertThat(BootstrapInterval.percentile(sorted, 0)).isEqualTo(1);
        assertThat(BootstrapInterval.percentile(sorted, 0.5)).isEqualTo(3);
        assertThat(BootstrapInterval.percentile(sorted, 0.875)).isEqualTo(4.5);
        assertThat(BootstrapInterval.percentile(sorted, 1)).isEqualTo(5);
    }

    @Test
    void rejectsNoValuesOrNoResamples() {
        assertThatThrownBy(() -> BootstrapInterval.interval95(new double[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one value");
        assertThatThrownBy(() -> BootstrapInterval.interval95(new double[] {1}, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resample");
    }

    private static double[] sample(int n, long seed) {
        Random random = new Random(seed);
        double[] out = new double[n];
        Arrays.setAll(out, i -> random.nextGaussian());
        return out;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }
}

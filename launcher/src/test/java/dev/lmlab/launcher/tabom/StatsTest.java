package dev.lmlab.launcher.tabom;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void aFiveSeedIntervalUsesStudentsTWithFourDegreesOfFreedom() {
        Stats s = Stats.of(new double[] {0.5, 0.6, 0.7, 0.6, 0.6});

        // mean 0.6, sample sd sqrt(0.02 / 4), t(0.975, 4) = 2.776
        assertThat(s.mean()).isCloseTo(0.6, Offset.offset(1e-12));
        assertThat(s.halfWidth()).isCloseTo(2.776 * Math.sqrt(0.02 / 4) / Math.sqrt(5), Offset.offset(1e-12));
        assertThat(s.n()).isEqualTo(5);
    }

    @Test
    void verdictsFollowTheIntervals() {
        Stats high = Stats.of(new double[] {0.80, 0.82, 0.81});
        Stats low = Stats.of(new double[] {0.50, 0.52, 0.51});
        Stats wide = Stats.of(new double[] {0.2, 0.9, 0.6});

        assertThat(TabomReport.compare(high, low)).startsWith("held");
        assertThat(TabomReport.compare(low, high)).startsWith("reversed");
        assertThat(TabomReport.compare(high, wide)).contains("overlap");
        assertThat(TabomReport.compare(Stats.of(new double[] {0.9}), low)).contains("one seed");
        assertThat(Stats.of(new double[] {0.3}).toString()).isEqualTo("0.300");
    }
}

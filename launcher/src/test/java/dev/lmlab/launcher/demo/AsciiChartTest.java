package dev.lmlab.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AsciiChartTest {

    @Test
    void aRisingLineHasItsFirstPointAtTheBottomAndItsLastAtTheTop() {
        List<String> rows = AsciiChart.render(new double[] {0, 1, 2, 3}, 10, 4);

        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).startsWith("   3.000 ┤").endsWith("●");
        assertThat(rows.get(3)).startsWith("   0.000 ┤").contains("●");
        assertThat(rows.get(3).indexOf('●')).isLessThan(rows.get(0).indexOf('●'));
    }

    @Test
    void longSeriesAreResampledToTheWidthAndNonFiniteValuesSkipped() {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 7 == 0 ? Double.NaN : Math.sin(i / 50.0);
        }

        List<String> rows = AsciiChart.render(values, 60, 6);

        assertThat(rows.get(rows.size() - 1)).isEqualTo("         └" + "─".repeat(60));
        assertThat(rows.subList(0, 6)).allSatisfy(r -> assertThat(r.length()).isEqualTo(10 + 60));
    }
}

package dev.lmlab.platform.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineChartTest {

    @Test
    void linesOnANumericAxisBecomeAPngOfOnePanelEach(@TempDir Path folder) throws Exception {
        double[] k = {1, 2, 3, 4};
        LineChart.Panel loss = new LineChart.Panel(
                "loss",
                "step",
                "loss",
                List.of(new LineChart.Series("a", LineChart.color(0), false, k, new double[] {4, 3, 2.5, 2})),
                false);
        LineChart.Panel pass = new LineChart.Panel(
                "pass@k",
                "k",
                "pass@k",
                List.of(new LineChart.Series("b", LineChart.color(1), true, k, new double[] {.1, .2, .3, .35})),
                true);

        Path file = folder.resolve("charts/out.png");
        LineChart.write(file, List.of(loss, pass));

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(2 * LineChart.PANEL_WIDTH);
        assertThat(image.getHeight()).isEqualTo(LineChart.HEIGHT);
        assertThat(Files.size(file)).isGreaterThan(1000);
    }

    @Test
    void dotsAndMeansWithErrorBarsOverCategoriesAreDrawnInTheirColours() throws Exception {
        Color red = new Color(0xd62728);
        Color blue = new Color(0x1f77b4);
        LineChart.Series dots = LineChart.Series.dots(
                "labels", blue, new double[] {-0.1, 0.1, 0.9, 1.1}, new double[] {10, 11, 20, 21});
        LineChart.Series means = new LineChart.Series(
                        "mean", red, LineChart.Mark.MEANS, new double[] {0, 1}, new double[] {10.5, 20.5}, null, null)
                .withErrorBars(new double[] {9, 19}, new double[] {12, 22});
        LineChart.Panel panel = new LineChart.Panel("by level", "level", "projection", List.of(dots, means), true)
                .withCategories(List.of("broad", "a rather long category name that cannot fit"))
                .fittedToData();

        BufferedImage image = ImageIO.read(new ByteArrayInputStream(LineChart.png(List.of(panel))));

        assertThat(image.getWidth()).isEqualTo(LineChart.PANEL_WIDTH);
        assertThat(countPixels(image, red)).isGreaterThan(40);
        assertThat(countPixels(image, blue)).isGreaterThan(0);
    }

    @Test
    void errorBarsMustMatchTheirSeries() {
        assertThatThrownBy(() -> new LineChart.Series("s", Color.BLACK, false, new double[] {1, 2}, new double[] {1, 2})
                        .withErrorBars(new double[] {0}, new double[] {3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("error bars");
    }

    private static int countPixels(BufferedImage image, Color color) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff)) {
                    count++;
                }
            }
        }
        return count;
    }
}

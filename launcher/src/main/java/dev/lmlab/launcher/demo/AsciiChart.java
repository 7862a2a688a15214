package dev.lmlab.launcher.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small line chart for the terminal: a metric curve is easier to see than to read. */
public final class AsciiChart {

    private AsciiChart() {}

    /** {@code values} resampled to {@code width} columns and drawn in {@code height} rows, y labels on the left. */
    public static List<String> render(double[] values, int width, int height) {
        List<String> rows = new ArrayList<>();
        if (values.length == 0) {
            rows.add("(no points)");
            return rows;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min == max) {
            max = min + 1;
        }
        int columns = Math.min(width, values.length);
        char[][] grid = new char[height][columns];
        for (char[] row : grid) {
            java.util.Arrays.fill(row, ' ');
        }
        for (int x = 0; x < columns; x++) {
            int from = (int) ((long) x * values.length / columns);
            int to = Math.max(from + 1, (int) ((long) (x + 1) * values.length / columns));
            double sum = 0;
            int n = 0;
            for (int i = from; i < to; i++) {
                if (Double.isFinite(values[i])) {
                    sum += values[i];
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            double level = (sum / n - min) / (max - min) * (height - 1);
            int y = height - 1 - (int) Math.round(level);
            grid[y][x] = '●';
            for (int below = y + 1; below < height; below++) {
                grid[below][x] = '│';
            }
        }
        for (int y = 0; y < height; y++) {
            double label = max - (max - min) * y / (height - 1);
            String axis = y == 0 || y == height - 1 || y == height / 2
                    ? String.format(Locale.ROOT, "%8.3f ┤", label)
                    : "         │";
            rows.add(axis + new String(grid[y]));
        }
        rows.add("         └" + "─".repeat(columns));
        return rows;
    }
}

package dev.lmlab.platform.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Charts drawn with Java2D into a PNG: a few panels side by side, each with its series and a legend. A series is a
 * line (solid or dashed), a scatter of dots or a row of mean marks, and any of them may carry error bars. The x axis
 * is numeric, or a list of categories placed at 0, 1, 2, ...
 */
public final class LineChart {

    static {
        System.setProperty("java.awt.headless", "true"); // drawn into an image; no display needed or wanted
    }

    /** Each panel's size in pixels; an image is {@code PANEL_WIDTH × panels} wide. */
    public static final int PANEL_WIDTH = 560;

    public static final int HEIGHT = 420;

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x7f7f7f), new Color(0x9467bd)
    };

    private static final Color GRID = new Color(0xe0e0e0);

    /** How a series is drawn. */
    public enum Mark {
        LINE,
        DASHED,
        /** a dot per point, unconnected */
        DOTS,
        /** a short horizontal bar per point: a group's mean, usually with its interval as error bars */
        MEANS
    }

    /** @param yLow,yHigh the ends of each point's error bar, or both null for none */
    public record Series(String name, Color color, Mark mark, double[] x, double[] y, double[] yLow, double[] yHigh) {

        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x for " + y.length + " y");
            }
            if ((yLow == null) != (yHigh == null)
                    || (yLow != null && (yLow.length != y.length || yHigh.length != y.length))) {
                throw new IllegalArgumentException("series '" + name + "': error bars need a low and a high per y");
            }
        }

        public Series(String name, Color color, boolean dashed, double[] x, double[] y) {
            this(name, color, dashed ? Mark.DASHED : Mark.LINE, x, y, null, null);
        }

        public static Series dots(String name, Color color, double[] x, double[] y) {
            return new Series(name, color, Mark.DOTS, x, y, null, null);
        }

        public Series withErrorBars(double[] low, double[] high) {
            return new Series(name, color, mark, x, y, low, high);
        }

        boolean lined() {
            return mark == Mark.LINE || mark == Mark.DASHED;
        }
    }

    /**
     * @param legendBelow put the legend in the lower right (for curves that rise), else the upper right
     * @param xCategories names for x = 0, 1, 2, ...; empty for a numeric x axis
     * @param yFromZero keep zero on the y axis (losses, rates); otherwise the axis fits the data
     */
    public record Panel(
            String title,
            String xLabel,
            String yLabel,
            List<Series> series,
            boolean legendBelow,
            List<String> xCategories,
            boolean yFromZero) {

        public Panel(String title, String xLabel, String yLabel, List<Series> series, boolean legendBelow) {
            this(title, xLabel, yLabel, series, legendBelow, List.of(), true);
        }

        public Panel withCategories(List<String> categories) {
            return new Panel(title, xLabel, yLabel, series, legendBelow, List.copyOf(categories), yFromZero);
        }

        public Panel fittedToData() {
            return new Panel(title, xLabel, yLabel, series, legendBelow, xCategories, false);
        }
    }

    private record Frame(int x0, int x1, int y0, int y1, double minX, double maxX, double minY, double maxY) {

        int px(double x) {
            return (int) Math.round(x0 + (x - minX) / (maxX - minX) * (x1 - x0));
        }

        int py(double y) {
            return (int) Math.round(y0 - (y - minY) / (maxY - minY) * (y0 - y1));
        }
    }

    private LineChart() {}

    /** The i-th colour of a small palette that stays apart in print, cycling after five. */
    public static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    public static void write(Path file, List<Panel> panels) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png(panels));
    }

    public static byte[] png(List<Panel> panels) {
        BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), HEIGHT);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * PANEL_WIDTH);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: only a broken PNG writer gets here
        }
        return out.toByteArray();
    }

    private static void draw(Graphics2D g, Panel p, int left) {
        Frame f = frame(p, left);

        // frame, title, axis labels
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(p.title(), f.x0(), 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(f.x0(), f.y1(), f.x1() - f.x0(), f.y0() - f.y1());
        g.drawString(p.xLabel(), (f.x0() + f.x1()) / 2 - 30, HEIGHT - 15);
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel(), -(f.y0() + f.y1()) / 2 - 30, left + 18);
        g.rotate(Math.PI / 2);

        if (p.xCategories().isEmpty()) {
            numericTicks(g, f);
        } else {
            categoryTicks(g, f, p.xCategories());
        }
        for (int t = 0; t <= 5; t++) {
            double vy = f.minY() + (f.maxY() - f.minY()) * t / 5;
            int py = f.y0() - (f.y0() - f.y1()) * t / 5;
            g.setColor(GRID);
            g.drawLine(f.x0() + 1, py, f.x1() - 1, py);
            g.setColor(Color.BLACK);
            g.drawString(label(vy), f.x0() - 48, py + 4);
        }

        for (Series s : p.series()) {
            drawSeries(g, f, s);
        }
        legend(g, f, p);
    }

    /** The plot area and the data range it shows, error bars included. */
    private static Frame frame(Panel p, int left) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Series s : p.series()) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    minX = Math.min(minX, s.x()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.yLow() == null ? s.y()[i] : Math.min(s.y()[i], s.yLow()[i]));
                    maxY = Math.max(maxY, s.yHigh() == null ? s.y()[i] : Math.max(s.y()[i], s.yHigh()[i]));
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (p.yFromZero()) {
            minY = Math.min(minY, 0);
        }
        if (maxY - minY < 1e-9) {
            maxY = minY + 1;
        }
        double pad = (maxY - minY) * 0.05;
        maxY += pad;
        if (!p.yFromZero()) {
            minY -= pad;
        }
        if (!p.xCategories().isEmpty()) {
            // categories sit at 0 .. k-1, each in the middle of its own slot
            minX = -0.5;
            maxX = p.xCategories().size() - 0.5;
        }
        if (maxX - minX < 1e-9) {
            maxX = minX + 1;
        }
        return new Frame(left + 70, left + PANEL_WIDTH - 20, HEIGHT - 55, 40, minX, maxX, minY, maxY);
    }

    // integers when the x axis is a small count (k of pass@k), fifths otherwise
    private static void numericTicks(Graphics2D g, Frame f) {
        double minX = f.minX();
        double maxX = f.maxX();
        boolean counts = maxX - minX <= 12 && minX == Math.rint(minX) && maxX == Math.rint(maxX);
        int xTicks = counts ? (int) (maxX - minX) : 5;
        for (int t = 0; t <= xTicks; t++) {
            double vx = minX + (maxX - minX) * t / xTicks;
            int px = f.x0() + (f.x1() - f.x0()) * t / xTicks;
            g.drawString(counts ? String.valueOf((long) vx) : label(vx), px - 8, f.y0() + 16);
        }
    }

    // every category while they fit, else every n-th; a name too wide for its slot is cut short
    private static void categoryTicks(Graphics2D g, Frame f, List<String> categories) {
        FontMetrics metrics = g.getFontMetrics();
        int slots = Math.max(1, (f.x1() - f.x0()) / 56);
        int step = (categories.size() + slots - 1) / slots;
        int room = (f.x1() - f.x0()) * step / categories.size() - 4;
        for (int i = 0; i < categories.size(); i += step) {
            String name = fit(categories.get(i), metrics, room);
            int px = f.px(i);
            g.drawLine(px, f.y0(), px, f.y0() - 4);
            g.drawString(name, px - metrics.stringWidth(name) / 2, f.y0() + 16);
        }
    }

    private static String fit(String name, FontMetrics metrics, int room) {
        if (metrics.stringWidth(name) <= room) {
            return name;
        }
        String cut = name;
        while (cut.length() > 1 && metrics.stringWidth(cut + "…") > room) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }

    private static void drawSeries(Graphics2D g, Frame f, Series s) {
        g.setColor(s.color());
        List<int[]> points = new ArrayList<>();
        for (int i = 0; i < s.x().length; i++) {
            if (!Double.isFinite(s.y()[i])) {
                continue;
            }
            int px = f.px(s.x()[i]);
            points.add(new int[] {px, f.py(s.y()[i])});
            if (s.yLow() != null && Double.isFinite(s.yLow()[i]) && Double.isFinite(s.yHigh()[i])) {
                errorBar(g, px, f.py(s.yLow()[i]), f.py(s.yHigh()[i]));
            }
        }
        g.setStroke(stroke(s.mark()));
        switch (s.mark()) {
            case LINE, DASHED -> {
                for (int i = 1; i < points.size(); i++) {
                    g.drawLine(points.get(i - 1)[0], points.get(i - 1)[1], points.get(i)[0], points.get(i)[1]);
                }
                if (points.size() <= 16) {
                    points.forEach(pt -> g.fillOval(pt[0] - 3, pt[1] - 3, 6, 6));
                }
            }
            case DOTS -> {
                g.setColor(new Color(
                        s.color().getRed(), s.color().getGreen(), s.color().getBlue(), 190));
                points.forEach(pt -> g.fillOval(pt[0] - 4, pt[1] - 4, 8, 8));
            }
            case MEANS -> points.forEach(pt -> g.drawLine(pt[0] - 10, pt[1], pt[0] + 10, pt[1]));
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void errorBar(Graphics2D g, int px, int low, int high) {
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(px, low, px, high);
        g.drawLine(px - 5, low, px + 5, low);
        g.drawLine(px - 5, high, px + 5, high);
    }

    private static Stroke stroke(Mark mark) {
        return switch (mark) {
            case DASHED ->
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);
            case MEANS -> new BasicStroke(3f);
            default -> new BasicStroke(2f);
        };
    }

    // the legend on a white box wide enough for its names, over whatever runs beneath it
    private static void legend(Graphics2D g, Frame f, Panel p) {
        int legendWidth = 210;
        for (Series s : p.series()) {
            legendWidth = Math.max(legendWidth, g.getFontMetrics().stringWidth(s.name()) + 44);
        }
        int legendHeight = 16 * p.series().size() + 8;
        int legendX = f.x1() - legendWidth - 5;
        int legendY = p.legendBelow() ? f.y0() - legendHeight - 8 : f.y1() + 8;
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(legendX, legendY, legendWidth, legendHeight);
        g.setColor(new Color(0xb0b0b0));
        g.drawRect(legendX, legendY, legendWidth, legendHeight);
        int rowY = legendY + 17;
        for (Series s : p.series()) {
            g.setColor(s.color());
            g.setStroke(stroke(s.mark()));
            if (s.lined()) {
                g.drawLine(legendX + 6, rowY - 4, legendX + 30, rowY - 4);
            } else if (s.mark() == Mark.DOTS) {
                g.fillOval(legendX + 14, rowY - 8, 8, 8);
            } else {
                g.drawLine(legendX + 8, rowY - 4, legendX + 28, rowY - 4);
            }
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(s.name(), legendX + 36, rowY);
            rowY += 16;
        }
    }

    private static String label(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }
}

package dev.lmlab.launcher.tabom;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Line charts drawn with Java2D into a PNG: a few panels side by side, each with its series and a legend. */
final class LineChart {

    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x7f7f7f), new Color(0x9467bd)
    };

    record Series(String name, Color color, boolean dashed, double[] x, double[] y) {}

    /** @param legendBelow put the legend in the lower right (for curves that rise), else the upper right */
    record Panel(String title, String xLabel, String yLabel, List<Series> series, boolean legendBelow) {}

    private LineChart() {}

    static {
        System.setProperty("java.awt.headless", "true"); // drawn into an image; no display needed or wanted
    }

    static void write(Path file, List<Panel> panels) throws IOException {
        int panelWidth = 560;
        int height = 420;
        BufferedImage image = new BufferedImage(panelWidth * panels.size(), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), height);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * panelWidth, panelWidth, height);
        }
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Panel p, int left, int width, int height) {
        int x0 = left + 70;
        int x1 = left + width - 20;
        int y0 = height - 55;
        int y1 = 40;
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Series s : p.series()) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    minX = Math.min(minX, s.x()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.y()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        minY = Math.min(minY, 0);
        if (maxY - minY < 1e-9) {
            maxY = minY + 1;
        }
        maxY += (maxY - minY) * 0.05;
        if (maxX - minX < 1e-9) {
            maxX = minX + 1;
        }

        // frame, title, axis labels
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(p.title(), x0, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        g.drawString(p.xLabel(), (x0 + x1) / 2 - 30, height - 15);
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel(), -(y0 + y1) / 2 - 30, left + 18);
        g.rotate(Math.PI / 2);

        // ticks: integers when the x axis is a small count (k of pass@k), fifths otherwise
        boolean counts = maxX - minX <= 12 && minX == Math.rint(minX) && maxX == Math.rint(maxX);
        int xTicks = counts ? (int) (maxX - minX) : 5;
        for (int t = 0; t <= xTicks; t++) {
            double vx = minX + (maxX - minX) * t / xTicks;
            int px = x0 + (x1 - x0) * t / xTicks;
            g.drawString(counts ? String.valueOf((long) vx) : label(vx), px - 8, y0 + 16);
        }
        for (int t = 0; t <= 5; t++) {
            double vy = minY + (maxY - minY) * t / 5;
            int py = y0 - (y0 - y1) * t / 5;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(x0 + 1, py, x1 - 1, py);
            g.setColor(Color.BLACK);
            g.drawString(label(vy), x0 - 48, py + 4);
        }

        // series, then the legend on a white box, over whatever runs beneath it
        for (Series s : p.series()) {
            g.setColor(s.color());
            g.setStroke(
                    s.dashed()
                            ? new BasicStroke(
                                    2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
            List<int[]> points = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    int px = (int) Math.round(x0 + (s.x()[i] - minX) / (maxX - minX) * (x1 - x0));
                    int py = (int) Math.round(y0 - (s.y()[i] - minY) / (maxY - minY) * (y0 - y1));
                    points.add(new int[] {px, py});
                }
            }
            for (int i = 1; i < points.size(); i++) {
                g.drawLine(points.get(i - 1)[0], points.get(i - 1)[1], points.get(i)[0], points.get(i)[1]);
            }
            if (points.size() <= 16) {
                points.forEach(pt -> g.fillOval(pt[0] - 3, pt[1] - 3, 6, 6));
            }
        }
        int legendHeight = 16 * p.series().size() + 8;
        int legendX = x1 - 215;
        int legendY = p.legendBelow() ? y0 - legendHeight - 8 : y1 + 8;
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(legendX, legendY, 210, legendHeight);
        g.setColor(new Color(0xb0b0b0));
        g.drawRect(legendX, legendY, 210, legendHeight);
        int rowY = legendY + 17;
        for (Series s : p.series()) {
            g.setColor(s.color());
            g.setStroke(
                    s.dashed()
                            ? new BasicStroke(
                                    2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
            g.drawLine(legendX + 6, rowY - 4, legendX + 30, rowY - 4);
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

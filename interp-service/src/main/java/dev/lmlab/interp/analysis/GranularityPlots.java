package dev.lmlab.interp.analysis;

import dev.lmlab.platform.plot.LineChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The two figures of a granularity analysis, as PNG bytes. */
final class GranularityPlots {

    private static final Pattern BLOCK_HOOK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    /** How far a level's labels spread sideways around the level, so that equal projections stay visible. */
    private static final double JITTER = 0.36;

    private GranularityPlots() {}

    /** Each label's projection as a dot over its level, and each level's mean with its 95% interval. */
    static byte[] projectionByLevel(String hook, List<LevelProjection> levels) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        double[] index = new double[levels.size()];
        double[] mean = new double[levels.size()];
        double[] low = new double[levels.size()];
        double[] high = new double[levels.size()];
        for (LevelProjection level : levels) {
            int k = level.projections().length;
            for (int i = 0; i < k; i++) {
                // spread evenly by label order: deterministic, and a label keeps its place from run to run
                x.add(level.index() + (k == 1 ? 0 : JITTER * ((double) i / (k - 1) - 0.5)));
                y.add(level.projections()[i]);
            }
            index[level.index()] = level.index();
            mean[level.index()] = level.mean();
            low[level.index()] = level.ci95()[0];
            high[level.index()] = level.ci95()[1];
        }
        LineChart.Series labels = LineChart.Series.dots("label", LineChart.color(0), unboxed(x), unboxed(y));
        LineChart.Series means = new LineChart.Series(
                        "level mean, 95% CI", LineChart.color(1), LineChart.Mark.MEANS, index, mean, null, null)
                .withErrorBars(low, high);
        LineChart.Panel panel = new LineChart.Panel(
                        "Labels along the axis · " + hook,
                        "granularity level (bottom to top)",
                        "projection on the unit axis",
                        List.of(labels, means),
                        true)
                .withCategories(levels.stream().map(LevelProjection::level).toList())
                .fittedToData();
        return LineChart.png(List.of(panel));
    }

    /** ρ, |cos(axis, PC1)| and the cosine with the primary hook's axis, hook by hook. */
    static byte[] stabilityByLayer(Map<String, ContrastFit> fits, String primaryHook) {
        int count = fits.size();
        double[] x = new double[count];
        double[] rho = new double[count];
        double[] cosPc1 = new double[count];
        double[] cosPrimary = new double[count];
        double[] primaryAxis = fits.get(primaryHook).axis();
        int i = 0;
        for (ContrastFit fit : fits.values()) {
            x[i] = i;
            rho[i] = fit.rho();
            cosPc1[i] = Math.abs(fit.cosAxisPc1());
            cosPrimary[i] = LayerSweep.cosWithPrimary(fit, primaryAxis);
            i++;
        }
        List<String> hooks = List.copyOf(fits.keySet());
        String layerSuffix = commonBlockSuffix(hooks);
        LineChart.Panel panel = new LineChart.Panel(
                        "Stability across layers",
                        layerSuffix == null ? "hook (layer order)" : "layer L of blocks.L." + layerSuffix,
                        "statistic",
                        List.of(
                                new LineChart.Series(
                                        "Spearman ρ (level, projection)", LineChart.color(0), false, x, rho),
                                new LineChart.Series("|cos(axis, PC1)|", LineChart.color(1), false, x, cosPc1),
                                new LineChart.Series(
                                        "cos with the primary hook's axis", LineChart.color(3), true, x, cosPrimary)),
                        true)
                .withCategories(
                        layerSuffix == null
                                ? hooks
                                : hooks.stream().map(GranularityPlots::layer).toList());
        return LineChart.png(List.of(panel));
    }

    // "resid_post" when every hook is blocks.L.resid_post for a different L; then the ticks need only L
    private static String commonBlockSuffix(List<String> hooks) {
        String suffix = null;
        for (String hook : hooks) {
            Matcher m = BLOCK_HOOK.matcher(hook);
            if (!m.matches() || (suffix != null && !suffix.equals(m.group(2)))) {
                return null;
            }
            suffix = m.group(2);
        }
        return suffix;
    }

    private static String layer(String hook) {
        Matcher m = BLOCK_HOOK.matcher(hook);
        return m.matches() ? m.group(1) : hook;
    }

    private static double[] unboxed(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

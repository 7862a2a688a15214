package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One level's labels on the axis: their mean projection, with a bootstrap interval over the labels (not the rows:
 * the labels are the sample that would change if the study were rerun with other roles).
 *
 * @param index the level's index, 0 at the bottom
 * @param projections its labels' projections, in label order
 * @param ci95 {lo, hi}
 */
record LevelProjection(
        String level, int index, List<String> labels, int rows, double[] projections, double mean, double[] ci95) {

    static List<LevelProjection> of(ContrastFit fit, List<String> levels, int resamples, long seed) {
        List<LevelProjection> out = new ArrayList<>();
        LabelMeans means = fit.means();
        for (int level = 0; level < levels.size(); level++) {
            int[] chosen = means.atLevel(level);
            List<String> labels = new ArrayList<>();
            double[] projections = new double[chosen.length];
            int rows = 0;
            for (int i = 0; i < chosen.length; i++) {
                labels.add(means.labels().get(chosen[i]));
                projections[i] = fit.projections()[chosen[i]];
                rows += means.rowCount()[chosen[i]];
            }
            double mean = projections.length == 0 ? Double.NaN : average(projections);
            double[] ci95 = projections.length == 0
                    ? new double[] {Double.NaN, Double.NaN}
                    : BootstrapInterval.interval95(projections, resamples, Seeds.derive(seed, Seeds.BOOTSTRAP, level));
            out.add(new LevelProjection(levels.get(level), level, List.copyOf(labels), rows, projections, mean, ci95));
        }
        return out;
    }

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("level", level);
        out.put("index", index);
        out.put("labels", labels);
        out.put("n_labels", labels.size());
        out.put("n_rows", rows);
        out.put("projection_mean", JsonValues.number(mean));
        out.put("ci95", JsonValues.numbers(ci95));
        return out;
    }

    private static double average(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}

package dev.lmlab.interp.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One way to choose the ends of the axis: every level at or above {@code topFrom} against every level at or below
 * {@code bottomTo}. If the result hangs on which levels count as the ends, the axis is less a granularity direction
 * than a contrast of two particular groups.
 */
record EndpointDefinition(String name, int topFrom, int bottomTo) {

    /** Top vs bottom level; top two vs bottom two; top vs all others; all others vs bottom. */
    static List<EndpointDefinition> forLevels(int levelCount) {
        int top = levelCount - 1;
        return List.of(
                new EndpointDefinition("top_vs_bottom", top, 0),
                new EndpointDefinition("top_two_vs_bottom_two", top - 1, 1),
                new EndpointDefinition("top_vs_rest", top, top - 1),
                new EndpointDefinition("rest_vs_bottom", 1, 0));
    }

    static List<Map<String, Object>> compareAll(LabelMeans means, double[] mainAxis, List<String> levels) {
        return forLevels(levels.size()).stream()
                .map(e -> e.compare(means, mainAxis, levels))
                .toList();
    }

    Map<String, Object> compare(LabelMeans means, double[] mainAxis, List<String> levels) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("top_levels", List.copyOf(levels.subList(Math.max(topFrom, 0), levels.size())));
        out.put("bottom_levels", List.copyOf(levels.subList(0, Math.min(bottomTo, levels.size() - 1) + 1)));
        if (topFrom <= bottomTo) {
            // with fewer than 4 levels the top two and the bottom two overlap: the shared level would sit at both ends
            out.put("axis_norm", null);
            out.put("cos_with_main_axis", null);
            out.put("spearman_rho", null);
            out.put("skipped", "the two ends share a level; this definition needs more levels");
            return out;
        }
        double[] axis = ContrastAxis.between(means, topFrom, bottomTo);
        out.put("axis_norm", JsonValues.number(Vectors.norm(axis)));
        out.put("cos_with_main_axis", JsonValues.number(Vectors.cosine(axis, mainAxis)));
        out.put(
                "spearman_rho",
                JsonValues.number(ContrastAxis.levelOrdering(means, ContrastAxis.projections(means, axis))));
        return out;
    }
}

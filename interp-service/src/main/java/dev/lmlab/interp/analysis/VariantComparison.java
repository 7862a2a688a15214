package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The primary hook's statistics within each prompt variant alone: an axis that only one phrasing of the prompts
 * produces says more about the phrasing than about granularity.
 */
final class VariantComparison {

    private VariantComparison() {}

    /** @param rows the primary hook's (N, D) */
    static List<Map<String, Object>> json(
            GranularityInput in, double[][] rows, Map<String, Integer> levelIndex, ContrastFit main, int components) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (in.variantOfRow() == null) {
            return out;
        }
        Set<String> variants = new LinkedHashSet<>(List.of(in.variantOfRow()));
        int levelCount = in.levels().size();
        for (String variant : variants) {
            boolean[] keep = new boolean[rows.length];
            int count = 0;
            for (int r = 0; r < rows.length; r++) {
                keep[r] = variant.equals(in.variantOfRow()[r]);
                count += keep[r] ? 1 : 0;
            }
            LabelMeans means = LabelMeans.of(rows, in.labelOfRow(), levelIndex, keep);

            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("variant", variant);
            entry.put("n_rows", count);
            entry.put("n_labels", means.size());
            if (!means.hasLevel(0) || !means.hasLevel(levelCount - 1)) {
                entry.put("axis_norm", null);
                entry.put("cos_with_main_axis", null);
                entry.put("spearman_rho", null);
                entry.put("cos_axis_pc1", null);
                entry.put("skipped", "this variant has no labels at the top or the bottom level");
            } else {
                ContrastFit fit = ContrastFit.of(means, levelCount, components);
                entry.put("axis_norm", JsonValues.number(fit.axisNorm()));
                entry.put("cos_with_main_axis", JsonValues.number(Vectors.cosine(fit.axis(), main.axis())));
                entry.put("spearman_rho", JsonValues.number(fit.rho()));
                entry.put("cos_axis_pc1", JsonValues.magnitude(fit.cosAxisPc1()));
            }
            out.add(entry);
        }
        return out;
    }
}

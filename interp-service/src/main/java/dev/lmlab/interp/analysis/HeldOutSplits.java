package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Whether labels still order by level when the axis is fitted on other labels. In-sample ρ flatters: the top and
 * bottom labels built the axis they are projected on, so even pure noise puts them at its ends. Each split halves
 * every level's labels at random (so both halves keep a top and a bottom label), fits the axis on one half and
 * takes Spearman's ρ over the other half's projections.
 */
final class HeldOutSplits {

    private HeldOutSplits() {}

    static Map<String, Object> json(LabelMeans means, int levelCount, double[] mainAxis, int splits, long seed) {
        int top = levelCount - 1;
        if (splits == 0) {
            return skipped("held-out splits were turned off (heldOutSplits = 0)");
        }
        if (means.atLevel(0).length < 2 || means.atLevel(top).length < 2) {
            return skipped("needs at least 2 labels at both the top and the bottom level, one for each half");
        }

        List<Map<String, Object>> perSplit = new ArrayList<>();
        double[] rhos = new double[splits];
        double[] cosines = new double[splits];
        for (int s = 0; s < splits; s++) {
            int[][] halves = halve(means, levelCount, new SplittableRandom(Seeds.derive(seed, Seeds.HELD_OUT, s)));
            LabelMeans fitted = means.subset(halves[0]);
            LabelMeans heldOut = means.subset(halves[1]);
            double[] axis = ContrastAxis.between(fitted, top, 0);
            rhos[s] = ContrastAxis.levelOrdering(heldOut, ContrastAxis.projections(heldOut, axis));
            cosines[s] = Vectors.cosine(axis, mainAxis);

            Map<String, Object> split = new LinkedHashMap<>();
            split.put("split", s);
            split.put("fit_labels", fitted.size());
            split.put("held_out_labels", heldOut.size());
            split.put("spearman_rho", JsonValues.number(rhos[s]));
            split.put("cos_with_main_axis", JsonValues.number(cosines[s]));
            perSplit.add(split);
        }

        // the middle 95% of the splits' ρ: how much the answer hangs on which labels were held out
        Map<String, Object> out = new LinkedHashMap<>();
        double[] defined = Arrays.stream(rhos).filter(Double::isFinite).sorted().toArray();
        out.put("splits", splits);
        out.put("rho_mean", JsonValues.number(Arrays.stream(defined).average().orElse(Double.NaN)));
        out.put(
                "rho_ci95",
                defined.length == 0
                        ? null
                        : JsonValues.numbers(new double[] {
                            BootstrapInterval.percentile(defined, 0.025), BootstrapInterval.percentile(defined, 0.975)
                        }));
        out.put("rho_undefined_splits", splits - defined.length);
        out.put(
                "cos_with_main_axis_mean",
                JsonValues.number(Arrays.stream(cosines)
                        .filter(Double::isFinite)
                        .average()
                        .orElse(Double.NaN)));
        out.put("per_split", perSplit);
        return out;
    }

    private static Map<String, Object> skipped(String reason) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("splits", 0);
        out.put("skipped", reason);
        return out;
    }

    /**
     * Shuffles each level's labels and gives the first half to fitting, the rest to held out; an odd one out goes
     * to either side by a coin toss, so neither half is always the larger.
     *
     * @return {fit indices, held-out indices}
     */
    static int[][] halve(LabelMeans means, int levelCount, SplittableRandom random) {
        List<Integer> fit = new ArrayList<>();
        List<Integer> heldOut = new ArrayList<>();
        for (int level = 0; level < levelCount; level++) {
            int[] labels = means.atLevel(level);
            shuffle(labels, random);
            int fitCount = labels.length / 2 + (labels.length % 2 == 1 && random.nextBoolean() ? 1 : 0);
            for (int i = 0; i < labels.length; i++) {
                (i < fitCount ? fit : heldOut).add(labels[i]);
            }
        }
        return new int[][] {
            fit.stream().mapToInt(Integer::intValue).toArray(),
            heldOut.stream().mapToInt(Integer::intValue).toArray()
        };
    }

    // Fisher–Yates
    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}

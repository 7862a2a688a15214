package dev.lmlab.eval.report;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.grading.PassAtK;
import dev.lmlab.eval.run.Trial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The numbers of a run's report, from its stored trials. Items are the unit: every mean and interval is over items
 * (each item's mean over its graded trials), so an item with more trials does not weigh more. Trials that failed to
 * reach the target and judge errors are excluded from scores and counted apart.
 */
public final class ReportMath {

    private ReportMath() {}

    public static List<ItemScore> itemScores(List<BenchmarkItem> items, List<Trial> trials) {
        Map<String, List<Trial>> byItem = new HashMap<>();
        trials.forEach(
                t -> byItem.computeIfAbsent(t.itemId(), x -> new ArrayList<>()).add(t));
        List<ItemScore> scores = new ArrayList<>();
        for (BenchmarkItem item : items) {
            int n = 0;
            int c = 0;
            int errors = 0;
            int judgeErrors = 0;
            double sum = 0;
            for (Trial t : byItem.getOrDefault(item.id(), List.of())) {
                switch (t.outcome()) {
                    case Trial.GRADED -> {
                        n++;
                        c += Boolean.TRUE.equals(t.correct()) ? 1 : 0;
                        sum += t.score();
                    }
                    case Trial.JUDGE_ERROR -> judgeErrors++;
                    default -> errors++;
                }
            }
            scores.add(new ItemScore(item.id(), item.tags(), n, c, n == 0 ? Double.NaN : sum / n, errors, judgeErrors));
        }
        return scores;
    }

    /** Mean score and accuracy with their 95% bootstrap intervals, over the scored items matching {@code which}. */
    public static Map<String, Object> summary(List<ItemScore> scores, Predicate<ItemScore> which) {
        List<ItemScore> chosen =
                scores.stream().filter(ItemScore::scored).filter(which).toList();
        double[] mean = chosen.stream().mapToDouble(ItemScore::meanScore).toArray();
        double[] accuracy = chosen.stream().mapToDouble(ItemScore::accuracy).toArray();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("items", chosen.size());
        s.put("mean_score", chosen.isEmpty() ? null : Bootstrap.mean(mean));
        s.put("mean_score_ci95", Bootstrap.interval95(mean));
        s.put("accuracy", chosen.isEmpty() ? null : Bootstrap.mean(accuracy));
        s.put("accuracy_ci95", Bootstrap.interval95(accuracy));
        return s;
    }

    /**
     * Unbiased pass@k (or, with {@code allMustPass}, pass^k) for k = 1..maxK, averaged over the items with at least k
     * graded trials.
     */
    public static Map<String, Double> passCurve(List<ItemScore> scores, int maxK, boolean allMustPass) {
        Map<String, Double> curve = new LinkedHashMap<>();
        for (int k = 1; k <= maxK; k++) {
            double sum = 0;
            int counted = 0;
            for (ItemScore s : scores) {
                if (s.trials() >= k) {
                    sum += allMustPass
                            ? PassAtK.passHatK(s.trials(), s.correct(), k)
                            : PassAtK.passAtK(s.trials(), s.correct(), k);
                    counted++;
                }
            }
            if (counted > 0) {
                curve.put(String.valueOf(k), sum / counted);
            }
        }
        return curve;
    }

    /** One summary per tag, tags in name order. */
    public static Map<String, Object> byTag(List<ItemScore> scores) {
        Map<String, Object> tags = new TreeMap<>();
        scores.stream()
                .flatMap(s -> s.tags().stream())
                .distinct()
                .forEach(tag -> tags.put(tag, summary(scores, s -> s.tags().contains(tag))));
        return tags;
    }
}

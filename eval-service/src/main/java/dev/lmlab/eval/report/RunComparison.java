package dev.lmlab.eval.report;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.run.Trial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two runs item by item: for every item both scored, the difference b − a of its mean scores; the mean difference
 * with a paired bootstrap interval (resampling items, so each item's pair stays together); and the items that
 * flipped between solved (most trials correct) and unsolved.
 */
public final class RunComparison {

    private RunComparison() {}

    public static Map<String, Object> compare(
            List<BenchmarkItem> itemsA, List<Trial> trialsA, List<BenchmarkItem> itemsB, List<Trial> trialsB) {
        Map<String, ItemScore> a = new HashMap<>();
        ReportMath.itemScores(itemsA, trialsA).forEach(s -> a.put(s.id(), s));
        List<Map<String, Object>> paired = new ArrayList<>();
        List<String> improved = new ArrayList<>();
        List<String> regressed = new ArrayList<>();
        List<Double> differences = new ArrayList<>();
        for (ItemScore sb : ReportMath.itemScores(itemsB, trialsB)) {
            ItemScore sa = a.get(sb.id());
            if (sa == null || !sa.scored() || !sb.scored()) {
                continue;
            }
            double d = sb.meanScore() - sa.meanScore();
            differences.add(d);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", sb.id());
            row.put("a", sa.meanScore());
            row.put("b", sb.meanScore());
            row.put("difference", d);
            paired.add(row);
            if (!sa.solved() && sb.solved()) {
                improved.add(sb.id());
            } else if (sa.solved() && !sb.solved()) {
                regressed.add(sb.id());
            }
        }
        double[] values = differences.stream().mapToDouble(Double::doubleValue).toArray();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("paired_items", values.length);
        out.put(
                "mean_a",
                values.length == 0
                        ? null
                        : paired.stream()
                                .mapToDouble(r -> (double) r.get("a"))
                                .average()
                                .orElseThrow());
        out.put(
                "mean_b",
                values.length == 0
                        ? null
                        : paired.stream()
                                .mapToDouble(r -> (double) r.get("b"))
                                .average()
                                .orElseThrow());
        out.put("mean_difference", values.length == 0 ? null : Bootstrap.mean(values));
        out.put("mean_difference_ci95", Bootstrap.interval95(values));
        out.put("flipped", Map.of("improved", improved, "regressed", regressed));
        out.put("items", paired);
        return out;
    }
}

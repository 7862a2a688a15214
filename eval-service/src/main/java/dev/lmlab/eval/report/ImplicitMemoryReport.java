package dev.lmlab.eval.report;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ImplicitMemBench's breakdown: first-attempt scores per construct, overall, and by polarity (inhibition vs
 * preference), plus the priming effect. Control instances of priming pairs are baselines, not tasks: they are
 * left out of the construct, overall and polarity scores and enter only the effect, experimental − control per
 * pair, averaged over pairs with a bootstrap interval.
 */
final class ImplicitMemoryReport {

    private ImplicitMemoryReport() {}

    static Map<String, Object> of(List<BenchmarkItem> items, List<ItemScore> scores) {
        Map<String, BenchmarkItem> item = new HashMap<>();
        items.forEach(i -> item.put(i.id(), i));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("overall", ReportMath.summary(scores, s -> !control(item.get(s.id()))));
        Map<String, Object> constructs = new LinkedHashMap<>();
        for (String c : List.of("procedural", "priming", "conditioning")) {
            if (items.stream().anyMatch(i -> field(i, "construct").equals(c))) {
                constructs.put(
                        c,
                        ReportMath.summary(
                                scores,
                                s -> field(item.get(s.id()), "construct").equals(c) && !control(item.get(s.id()))));
            }
        }
        out.put("by_construct", constructs);
        Map<String, Object> polarity = new LinkedHashMap<>();
        for (String p : List.of("inhibition", "preference")) {
            polarity.put(
                    p,
                    ReportMath.summary(
                            scores, s -> field(item.get(s.id()), "polarity").equals(p) && !control(item.get(s.id()))));
        }
        out.put("by_polarity", polarity);
        out.put("priming_effect", primingEffect(item, scores));
        return out;
    }

    private static Map<String, Object> primingEffect(Map<String, BenchmarkItem> item, List<ItemScore> scores) {
        Map<String, double[]> pairs = new TreeMap<>(); // pair → [experimental, control], NaN until seen
        for (ItemScore s : scores) {
            BenchmarkItem i = item.get(s.id());
            if (!field(i, "construct").equals("priming") || !s.scored()) {
                continue;
            }
            double[] pair = pairs.computeIfAbsent(field(i, "pair"), p -> new double[] {Double.NaN, Double.NaN});
            pair[control(i) ? 1 : 0] = s.meanScore();
        }
        List<Map<String, Object>> perPair = new ArrayList<>();
        List<Double> effects = new ArrayList<>();
        for (Map.Entry<String, double[]> e : pairs.entrySet()) {
            double[] v = e.getValue();
            if (Double.isNaN(v[0]) || Double.isNaN(v[1])) {
                continue; // half a pair says nothing about priming
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("pair", e.getKey());
            row.put("experimental", v[0]);
            row.put("control", v[1]);
            row.put("effect", v[0] - v[1]);
            perPair.add(row);
            effects.add(v[0] - v[1]);
        }
        double[] values = effects.stream().mapToDouble(Double::doubleValue).toArray();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pairs", perPair.size());
        out.put("effect", values.length == 0 ? null : Bootstrap.mean(values));
        out.put("effect_ci95", Bootstrap.interval95(values));
        out.put(
                "experimental",
                values.length == 0
                        ? null
                        : perPair.stream()
                                .mapToDouble(r -> (double) r.get("experimental"))
                                .average()
                                .orElse(0));
        out.put(
                "control",
                values.length == 0
                        ? null
                        : perPair.stream()
                                .mapToDouble(r -> (double) r.get("control"))
                                .average()
                                .orElse(0));
        out.put("per_pair", perPair);
        return out;
    }

    private static boolean control(BenchmarkItem i) {
        return field(i, "construct").equals("priming") && field(i, "condition").equals("control");
    }

    private static String field(BenchmarkItem i, String name) {
        return i == null ? "" : i.data().path(name).asString("");
    }
}

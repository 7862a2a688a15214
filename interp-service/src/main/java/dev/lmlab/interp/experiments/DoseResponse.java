package dev.lmlab.interp.experiments;

import dev.lmlab.interp.analysis.BootstrapInterval;
import dev.lmlab.interp.analysis.Spearman;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.plot.LineChart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dose-response of a steering sweep: per coefficient the mean projection, per-token NLL (and perplexity) and
 * judge scores (overall and per rubric item), each with a 95% bootstrap interval over the generations; whether the
 * coefficient kept the model coherent (perplexity within a ratio of the baseline's, the coefficient nearest 0); and
 * Spearman's ρ between coefficient and projection (and judge score) over all generations.
 */
final class DoseResponse {

    static final int RESAMPLES = 2000;
    static final long SEED = 20261204L;

    private DoseResponse() {}

    /** The headline numbers of one coefficient's generations, for its metrics. */
    record Row(Double projection, Double nll, Double judgeScore) {}

    static Row row(double coefficient, List<? extends JsonNode> rows) {
        return new Row(mean(values(rows, "projection")), mean(values(rows, "nll_per_token")), mean(judge(rows, null)));
    }

    record Written(Path json, Path markdown, Path plot, String summary) {}

    static Written write(
            Map<String, Object> head,
            List<Double> coefficients,
            List<JsonNode> generations,
            double maxPerplexityRatio,
            DataRoot artifacts,
            String folder,
            JsonMapper json)
            throws IOException {
        Map<String, Object> report = new LinkedHashMap<>(head);
        report.putAll(summarize(coefficients, generations, maxPerplexityRatio));
        Path jsonFile = publish(
                artifacts.newPath(folder + "/report.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        Path markdown = publish(
                artifacts.newPath(folder + "/report.md"), markdown(report).getBytes());
        Path plot = publish(artifacts.newPath(folder + "/dose-response.png"), plot(report));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("rows");
        long incoherent = rows.stream()
                .filter(r -> Boolean.FALSE.equals(r.get("coherent")))
                .count();
        String summary = String.format(
                Locale.ROOT,
                "%d coefficients × %d generations; ρ(coefficient, projection) = %s; %d coefficients incoherent",
                coefficients.size(),
                generations.size() / Math.max(1, coefficients.size()),
                number(report.get("spearman_projection")),
                incoherent);
        return new Written(jsonFile, markdown, plot, summary);
    }

    static Map<String, Object> summarize(List<Double> coefficients, List<JsonNode> generations, double ratio) {
        Map<Integer, List<JsonNode>> byIndex = new TreeMap<>();
        generations.forEach(
                g -> byIndex.computeIfAbsent(g.get("coefficient_index").asInt(), i -> new ArrayList<>())
                        .add(g));
        int baseline = 0;
        for (int i = 1; i < coefficients.size(); i++) {
            if (Math.abs(coefficients.get(i)) < Math.abs(coefficients.get(baseline))) {
                baseline = i;
            }
        }
        Double baselineNll = mean(values(byIndex.getOrDefault(baseline, List.of()), "nll_per_token"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < coefficients.size(); i++) {
            List<JsonNode> g = byIndex.getOrDefault(i, List.of());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("coefficient", coefficients.get(i));
            row.put("generations", g.size());
            row.put(
                    "empty_responses",
                    g.stream()
                            .filter(x -> x.get("response").asString().isEmpty())
                            .count());
            row.put("projection", estimate(values(g, "projection")));
            double[] nll = values(g, "nll_per_token");
            row.put("nll_per_token", estimate(nll));
            Double meanNll = mean(nll);
            row.put("perplexity", meanNll == null ? null : Math.exp(meanNll));
            row.put(
                    "coherent",
                    meanNll == null || baselineNll == null ? null : Math.exp(meanNll - baselineNll) <= ratio);
            if (g.stream().anyMatch(x -> x.has("judge"))) {
                Map<String, Object> judge = new LinkedHashMap<>();
                judge.put("graded", judge(g, null).length);
                judge.put(
                        "judge_errors",
                        g.stream()
                                .filter(x -> x.path("judge")
                                        .path("outcome")
                                        .asString("")
                                        .equals("judge_error"))
                                .count());
                judge.put("score", estimate(judge(g, null)));
                Map<String, Object> rubric = new LinkedHashMap<>();
                for (String item : rubricItems(g)) {
                    rubric.put(item, estimate(judge(g, item)));
                }
                judge.put("rubric", rubric);
                row.put("judge", judge);
            }
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("baseline_coefficient", coefficients.get(baseline));
        out.put("max_perplexity_ratio", ratio);
        out.put("spearman_projection", rho(generations, "projection"));
        out.put("spearman_judge", rho(generations, null));
        out.put("rows", rows);
        return out;
    }

    /** ρ over generations between their coefficient and a measurement (null key: the judge score). */
    private static Double rho(List<JsonNode> generations, String key) {
        List<double[]> pairs = new ArrayList<>();
        for (JsonNode g : generations) {
            JsonNode v = key == null ? g.path("judge").path("score") : g.path(key);
            if (v.isNumber()) {
                pairs.add(new double[] {g.get("coefficient").asDouble(), v.asDouble()});
            }
        }
        if (pairs.size() < 3) {
            return null;
        }
        double r = Spearman.rho(
                pairs.stream().mapToDouble(p -> p[0]).toArray(),
                pairs.stream().mapToDouble(p -> p[1]).toArray());
        return Double.isFinite(r) ? r : null;
    }

    private static Map<String, Object> estimate(double[] values) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("n", values.length);
        e.put("mean", mean(values));
        double[] ci = values.length < 2 ? null : BootstrapInterval.interval95(values, RESAMPLES, SEED);
        e.put("ci95", ci == null ? null : List.of(ci[0], ci[1]));
        return e;
    }

    private static double[] values(List<? extends JsonNode> rows, String key) {
        return rows.stream()
                .map(r -> r.path(key))
                .filter(JsonNode::isNumber)
                .mapToDouble(JsonNode::asDouble)
                .toArray();
    }

    /** Judge scores (null item: the overall score; else one rubric item's), over the graded generations only. */
    private static double[] judge(List<? extends JsonNode> rows, String item) {
        return rows.stream()
                .map(r -> r.path("judge"))
                .filter(j -> j.path("outcome").asString("").equals("graded"))
                .map(j ->
                        item == null ? j.path("score") : j.path("rubric_scores").path(item))
                .filter(JsonNode::isNumber)
                .mapToDouble(JsonNode::asDouble)
                .toArray();
    }

    private static List<String> rubricItems(List<JsonNode> rows) {
        TreeSet<String> items = new TreeSet<>();
        rows.forEach(r -> r.path("judge").path("rubric_scores").propertyNames().forEach(items::add));
        return List.copyOf(items);
    }

    private static Double mean(double[] v) {
        if (v.length == 0) {
            return null;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("rows");
        boolean judged = rows.stream().anyMatch(r -> r.containsKey("judge"));
        StringBuilder md = new StringBuilder();
        md.append("# Steering ")
                .append(report.get("model"))
                .append(" at ")
                .append(report.get("hook"))
                .append("\n\n");
        md.append("Vector: ").append(report.get("vector")).append(". ");
        md.append("Projection: the unsteered model's mean activation over the answer on the unit vector. NLL: per"
                + " answer token under the unsteered model; coherent = perplexity within "
                + report.get("max_perplexity_ratio") + "× that at coefficient " + report.get("baseline_coefficient")
                + ". Intervals: 95% bootstrap over generations.\n\n");
        md.append("| coefficient | n | projection | 95% CI | NLL/token | perplexity | coherent |");
        md.append(judged ? " judge | 95% CI | judge errors |\n" : "\n");
        md.append("|---|---|---|---|---|---|---|").append(judged ? "---|---|---|\n" : "\n");
        for (Map<String, Object> r : rows) {
            Map<String, Object> p = (Map<String, Object>) r.get("projection");
            Map<String, Object> nll = (Map<String, Object>) r.get("nll_per_token");
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s |",
                    number(r.get("coefficient")),
                    r.get("generations"),
                    number(p.get("mean")),
                    interval(p.get("ci95")),
                    number(nll.get("mean")),
                    number(r.get("perplexity")),
                    r.get("coherent") == null ? "–" : (Boolean) r.get("coherent") ? "yes" : "**no**"));
            if (judged) {
                Map<String, Object> j = (Map<String, Object>) r.get("judge");
                Map<String, Object> s = j == null ? Map.of() : (Map<String, Object>) j.get("score");
                md.append(String.format(
                        Locale.ROOT,
                        " %s | %s | %s |",
                        number(s.get("mean")),
                        interval(s.get("ci95")),
                        j == null ? "–" : j.get("judge_errors")));
            }
            md.append('\n');
        }
        md.append("\nSpearman ρ(coefficient, projection) = ").append(number(report.get("spearman_projection")));
        if (judged) {
            md.append("; ρ(coefficient, judge score) = ").append(number(report.get("spearman_judge")));
        }
        md.append('\n');
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    static byte[] plot(Map<String, Object> report) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("rows");
        List<LineChart.Panel> panels = new ArrayList<>();
        panels.add(
                panel("Projection on the vector", "projection", rows, r -> (Map<String, Object>) r.get("projection")));
        panels.add(panel("Coherence: NLL per answer token", "NLL / token", rows, r ->
                (Map<String, Object>) r.get("nll_per_token")));
        if (rows.stream().anyMatch(r -> r.containsKey("judge"))) {
            panels.add(panel(
                    "Judge score",
                    "score (0–1)",
                    rows,
                    r -> r.get("judge") == null
                            ? Map.of()
                            : (Map<String, Object>) ((Map<String, Object>) r.get("judge")).get("score")));
        }
        return LineChart.png(panels);
    }

    @SuppressWarnings("unchecked")
    private static LineChart.Panel panel(
            String title,
            String yLabel,
            List<Map<String, Object>> rows,
            java.util.function.Function<Map<String, Object>, Map<String, Object>> estimate) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Map<String, Object> e = estimate.apply(r);
            if (e.get("mean") instanceof Double m) {
                List<Double> ci = (List<Double>) e.get("ci95");
                points.add(new double[] {
                    (Double) r.get("coefficient"), m, ci == null ? m : ci.get(0), ci == null ? m : ci.get(1)
                });
            }
        }
        points.sort(java.util.Comparator.comparingDouble(p -> p[0]));
        LineChart.Series s = new LineChart.Series(
                        yLabel,
                        LineChart.color(0),
                        false,
                        points.stream().mapToDouble(p -> p[0]).toArray(),
                        points.stream().mapToDouble(p -> p[1]).toArray())
                .withErrorBars(
                        points.stream().mapToDouble(p -> p[2]).toArray(),
                        points.stream().mapToDouble(p -> p[3]).toArray());
        return new LineChart.Panel(title, "coefficient", yLabel, List.of(s), false).fittedToData();
    }

    private static Path publish(Path target, byte[] content) {
        return JobOutput.writeWhole(target, content);
    }

    private static String interval(Object ci) {
        if (!(ci instanceof List<?> l) || l.size() != 2) {
            return "–";
        }
        return "[" + number(l.get(0)) + ", " + number(l.get(1)) + "]";
    }

    static String number(Object v) {
        if (v instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "–";
        }
        return v == null ? "–" : v.toString();
    }
}

package dev.lmlab.eval.report;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.benchmark.BenchmarkSpec;
import dev.lmlab.eval.benchmark.BenchmarkStore;
import dev.lmlab.eval.benchmark.StoredBenchmark;
import dev.lmlab.eval.run.Trial;
import dev.lmlab.eval.run.TrialStore;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * An eval run's report, computed from its stored trials whenever asked (so a running or failed run has one too),
 * and published as {@code report.json}, {@code report.md} and {@code trials.jsonl} artifacts when the run ends.
 */
@Component
public class RunReport {

    public static final String KIND = "eval";

    private final RunRegistry registry;
    private final BenchmarkStore benchmarks;
    private final TrialStore trials;
    private final DataRoot artifacts;
    private final JsonMapper json;

    public RunReport(
            RunRegistry registry, BenchmarkStore benchmarks, TrialStore trials, DataRoot artifacts, JsonMapper json) {
        this.registry = registry;
        this.benchmarks = benchmarks;
        this.trials = trials;
        this.artifacts = artifacts;
        this.json = json;
    }

    /** A published report: where it is and a line for people. */
    public record Written(Map<String, Object> report, String summary) {}

    /** The eval run {@code id}; a 404 for an unknown run, a 400 for a run of another kind. */
    public Run evalRun(UUID id) {
        Run run = registry.find(id).orElseThrow(() -> RunRegistry.notFound(id));
        if (!run.service().equals("eval") || !run.kind().equals(KIND)) {
            throw ApiException.badRequest(
                            "not-an-eval-run",
                            "run " + id + " is a " + run.service() + " '" + run.kind() + "' run, not an eval run")
                    .with("run_id", id.toString());
        }
        return run;
    }

    public Map<String, Object> build(UUID runId) {
        Run run = evalRun(runId);
        StoredBenchmark b = benchmarks.resolve(run.params().path("benchmark").asString());
        int k = run.params().path("trials").isNumber()
                ? run.params().get("trials").asInt()
                : b.spec().trials();
        String target = json.treeToValue(run.params().path("target"), dev.lmlab.eval.target.TargetSpec.class)
                .label();
        Map<String, Object> report = compute(b, benchmarks.items(b.name(), b.version()), trials.all(runId), k);
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("run_id", runId.toString());
        head.put("status", run.status());
        head.put("started_at", run.startedAt());
        head.put("finished_at", run.finishedAt());
        head.put("target", target);
        head.putAll(report);
        return head;
    }

    /** The report of {@code trials} of {@code k} trials per item on benchmark {@code b}. */
    public static Map<String, Object> compute(StoredBenchmark b, List<BenchmarkItem> items, List<Trial> trials, int k) {
        List<ItemScore> scores = ReportMath.itemScores(items, trials);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", b.id());
        r.put("protocol", b.spec().protocol());
        r.put("trials_per_item", k);
        r.put("items_total", items.size());
        r.put("items_scored", scores.stream().filter(ItemScore::scored).count());
        r.put("trials_stored", trials.size());
        r.put("trials_graded", trials.stream().filter(Trial::graded).count());
        r.put(
                "errors",
                trials.stream().filter(t -> t.outcome().equals(Trial.ERROR)).count());
        r.put(
                "judge_errors",
                trials.stream()
                        .filter(t -> t.outcome().equals(Trial.JUDGE_ERROR))
                        .count());
        r.putAll(ReportMath.summary(scores, s -> true));
        r.put("pass_at_k", ReportMath.passCurve(scores, k, false));
        r.put("pass_hat_k", ReportMath.passCurve(scores, k, true));
        r.put("by_tag", ReportMath.byTag(scores));
        if (b.spec().protocol().equals(BenchmarkSpec.IMPLICIT_MEMORY)) {
            r.put("implicit_memory", ImplicitMemoryReport.of(items, scores));
        }
        r.put("latency_ms", latency(trials));
        r.put(
                "tokens",
                Map.of(
                        "prompt",
                                trials.stream()
                                        .mapToLong(t -> t.promptTokens() == null ? 0 : t.promptTokens())
                                        .sum(),
                        "completion",
                                trials.stream()
                                        .mapToLong(t -> t.completionTokens() == null ? 0 : t.completionTokens())
                                        .sum()));
        List<Map<String, Object>> perItem = new ArrayList<>();
        for (ItemScore s : scores) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", s.id());
            row.put("tags", s.tags());
            row.put("trials", s.trials());
            row.put("correct", s.correct());
            row.put("mean_score", s.scored() ? s.meanScore() : null);
            row.put("errors", s.errors());
            row.put("judge_errors", s.judgeErrors());
            perItem.add(row);
        }
        r.put("items", perItem);
        return r;
    }

    private static Map<String, Object> latency(List<Trial> trials) {
        double[] ms = trials.stream().mapToDouble(Trial::latencyMs).sorted().toArray();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("mean", ms.length == 0 ? null : Arrays.stream(ms).average().orElse(0));
        l.put("p50", ms.length == 0 ? null : Bootstrap.percentile(ms, 0.5));
        l.put("p95", ms.length == 0 ? null : Bootstrap.percentile(ms, 0.95));
        l.put("total", Arrays.stream(ms).sum());
        return l;
    }

    /** At the end of a run: final metrics, and the report and trials as artifacts. */
    public Written publish(JobContext context, StoredBenchmark b, String target, int k) {
        List<Trial> all = trials.all(context.runId());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run_id", context.runId().toString());
        report.put("target", target);
        report.putAll(compute(b, benchmarks.items(b.name(), b.version()), all, k));
        @SuppressWarnings("unchecked")
        Map<String, Double> passAt = (Map<String, Double>) report.get("pass_at_k");
        @SuppressWarnings("unchecked")
        Map<String, Double> passHat = (Map<String, Double>) report.get("pass_hat_k");
        passAt.forEach((key, v) -> context.metric("pass_at_k", Long.parseLong(key), v));
        passHat.forEach((key, v) -> context.metric("pass_hat_k", Long.parseLong(key), v));
        if (report.get("accuracy") instanceof Double a) {
            context.metric("accuracy", all.size(), a);
        }
        if (report.get("mean_score") instanceof Double m) {
            context.metric("mean_score", all.size(), m);
        }
        String folder = "runs/" + context.runId() + "/";
        Path jsonFile = write(
                folder + "report.json", json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Path markdown = write(folder + "report.md", MarkdownReport.render(report));
        StringBuilder lines = new StringBuilder();
        all.forEach(t -> lines.append(json.writeValueAsString(t)).append('\n'));
        Path trialsFile = write(folder + "trials.jsonl", lines.toString());
        context.artifact(JobOutput.artifact("report.json", jsonFile, "application/json"));
        context.artifact(JobOutput.artifact("report.md", markdown, "text/markdown"));
        context.artifact(JobOutput.artifact("trials.jsonl", trialsFile, "application/jsonl"));
        String summary = String.format(
                Locale.ROOT,
                "%s on %s: %s items, accuracy %s, mean score %s, %s errors, %s judge errors",
                b.id(),
                target,
                report.get("items_scored"),
                MarkdownReport.number(report.get("accuracy")),
                MarkdownReport.number(report.get("mean_score")),
                report.get("errors"),
                report.get("judge_errors"));
        return new Written(report, summary);
    }

    /** Written whole to a temporary file, then moved into place: a reader never sees half a report. */
    private Path write(String relative, String content) {
        return JobOutput.writeWhole(artifacts.newPath(relative), content.getBytes(StandardCharsets.UTF_8));
    }
}

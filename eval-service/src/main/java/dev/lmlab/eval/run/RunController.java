package dev.lmlab.eval.run;

import dev.lmlab.eval.benchmark.BenchmarkStore;
import dev.lmlab.eval.benchmark.StoredBenchmark;
import dev.lmlab.eval.report.MarkdownReport;
import dev.lmlab.eval.report.RunComparison;
import dev.lmlab.eval.report.RunReport;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Eval runs: submit one against a registered benchmark ({@code POST /runs}), read its report (JSON or Markdown), its
 * trials, and compare two runs item by item. Runs live in the shared registry; follow one at {@code
 * /api/runs/{id}/events}.
 */
@RestController
class RunController {

    private final EvalRuns runs;
    private final BenchmarkStore benchmarks;
    private final TrialStore trials;
    private final RunReport reports;

    RunController(EvalRuns runs, BenchmarkStore benchmarks, TrialStore trials, RunReport reports) {
        this.runs = runs;
        this.benchmarks = benchmarks;
        this.trials = trials;
        this.reports = reports;
    }

    @Operation(summary = "Start an eval run: {benchmark, target, trials, seed, concurrency, grader, error_budget, ...}")
    @PostMapping("/runs")
    ResponseEntity<Run> submit(
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Run run = runs.submit(body, Caller.of(http), idempotencyKey, null).run();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/runs/" + run.id()))
                .body(run);
    }

    @Operation(summary = "The run's report, from its stored trials (JSON; ?format=markdown or Accept: text/markdown)")
    @GetMapping("/runs/{id}/report")
    ResponseEntity<?> report(
            @PathVariable UUID id,
            @RequestParam(required = false) String format,
            @RequestHeader(name = "Accept", required = false) String accept) {
        Map<String, Object> report = reports.build(id);
        boolean markdown =
                "markdown".equals(format) || (format == null && accept != null && accept.contains("text/markdown"));
        if (format != null && !Set.of("json", "markdown").contains(format)) {
            throw ApiException.badRequest("invalid-format", "format is json or markdown")
                    .with("field", "format");
        }
        if (markdown) {
            return ResponseEntity.ok()
                    .contentType(MediaType.parseMediaType("text/markdown;charset=UTF-8"))
                    .body(MarkdownReport.render(report));
        }
        return ResponseEntity.ok(report);
    }

    @Operation(summary = "The run's trials: prompt, transcript, response, score, rationale, latency, tokens")
    @GetMapping("/runs/{id}/trials")
    Map<String, Object> trials(
            @PathVariable UUID id,
            @RequestParam(required = false) String item,
            @RequestParam(required = false) String outcome,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        reports.evalRun(id);
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("invalid-page", "page >= 0 and 1 <= size <= 500");
        }
        if (outcome != null
                && !Set.of(Trial.GRADED, Trial.ERROR, Trial.JUDGE_ERROR).contains(outcome)) {
            throw ApiException.badRequest("invalid-params", "outcome is graded, error or judge_error")
                    .with("field", "outcome");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("run_id", id.toString());
        answer.put("total", trials.count(id));
        answer.put("page", page);
        answer.put("trials", trials.page(id, item, outcome, page, size));
        return answer;
    }

    @Operation(summary = "Two eval runs item by item: paired differences (b − a), a paired bootstrap interval, flips")
    @GetMapping("/runs/compare")
    Map<String, Object> compare(@RequestParam UUID a, @RequestParam UUID b) {
        Run runA = reports.evalRun(a);
        Run runB = reports.evalRun(b);
        StoredBenchmark benchA =
                benchmarks.resolve(runA.params().path("benchmark").asString());
        StoredBenchmark benchB =
                benchmarks.resolve(runB.params().path("benchmark").asString());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("a", Map.of("run_id", a.toString(), "benchmark", benchA.id(), "name", runA.name()));
        answer.put("b", Map.of("run_id", b.toString(), "benchmark", benchB.id(), "name", runB.name()));
        answer.put("same_benchmark", benchA.id().equals(benchB.id()));
        answer.putAll(RunComparison.compare(
                benchmarks.items(benchA.name(), benchA.version()),
                trials.all(a),
                benchmarks.items(benchB.name(), benchB.version()),
                trials.all(b)));
        return answer;
    }
}

package dev.lmlab.eval.run;

import dev.lmlab.eval.benchmark.BenchmarkStore;
import dev.lmlab.eval.benchmark.StoredBenchmark;
import dev.lmlab.platform.job.JobRequest;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Submits eval runs: for {@code POST /runs} and for triggers. */
@Component
public class EvalRuns {

    /** Fields of a run request that are not job params. */
    private static final Set<String> ENVELOPE = Set.of("name", "tags", "parent_run_id");

    private final JobService jobs;
    private final BenchmarkStore benchmarks;

    EvalRuns(JobService jobs, BenchmarkStore benchmarks) {
        this.jobs = jobs;
        this.benchmarks = benchmarks;
    }

    /**
     * Submits an eval run with the benchmark pinned to an exact version and the trial count made explicit, so the
     * run's params say precisely what was graded.
     *
     * @param parent overrides the body's {@code parent_run_id} (triggers make their runs children of the event's run)
     */
    public JobService.Submission submit(JsonNode body, Caller caller, String idempotencyKey, UUID parent) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid-params", "the body is an object: {benchmark, target, trials, ...}");
        }
        ObjectNode params = ((ObjectNode) body).deepCopy();
        ENVELOPE.forEach(params::remove);
        StoredBenchmark b = benchmarks.resolve(params.path("benchmark").asString(null));
        params.put("benchmark", b.id());
        if (!params.has("trials") || params.get("trials").isNull()) {
            params.put("trials", b.spec().trials());
        }
        Map<String, String> tags = new LinkedHashMap<>();
        body.path("tags")
                .properties()
                .forEach(e -> tags.put(e.getKey(), e.getValue().asString()));
        tags.putIfAbsent("benchmark", b.id());
        UUID parentId = parent != null ? parent : parentOf(body);
        String name = body.path("name").isString() ? body.get("name").asString() : null;
        return jobs.submit(new JobRequest(EvalRunJob.KIND, name, params, tags, parentId), caller, idempotencyKey);
    }

    private static UUID parentOf(JsonNode body) {
        JsonNode p = body.get("parent_run_id");
        if (p == null || p.isNull()) {
            return null;
        }
        try {
            return UUID.fromString(p.asString());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-params", "parent_run_id is a run id (UUID)")
                    .with("field", "parent_run_id");
        }
    }
}

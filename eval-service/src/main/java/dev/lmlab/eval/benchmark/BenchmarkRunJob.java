package dev.lmlab.eval.benchmark;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.grading.AnswerMatch;
import dev.lmlab.eval.grading.PassAtK;
import dev.lmlab.eval.peers.InferenceClient;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Grades a served model on a benchmark's items: {@code samples} completions per item, each compared with the
 * item's answer, reported as accuracy (the mean fraction of correct samples, i.e. pass@1) and, for k = 1..samples,
 * unbiased pass@k and pass^k. Durable and resumable: per-item results are appended to {@code results.jsonl} and a
 * revived run continues after the last item its checkpoint covers, grading no item twice.
 */
@Component
class BenchmarkRunJob implements JobHandler<BenchmarkRunJob.Params> {

    private final InferenceClient inference;
    private final DataRoot artifacts;
    private final EvalProperties properties;
    private final JsonMapper json;

    BenchmarkRunJob(InferenceClient inference, DataRoot artifacts, EvalProperties properties, JsonMapper json) {
        this.inference = inference;
        this.artifacts = artifacts;
        this.properties = properties;
        this.json = json;
    }

    /**
     * @param model a model registered with the inference service
     * @param items the benchmark: JSONL of {@code id}, {@code prompt}, {@code answer} under the artifacts root
     * @param samples completions per item (n for pass@k)
     * @param temperature sampling temperature; 0 (greedy) when one sample, 1 otherwise, unless given
     * @param maxTokens completion length (for masked-diffusion models: the generation length)
     * @param steps masked-diffusion denoising steps (the model's default when absent)
     * @param blockLength masked-diffusion block length
     * @param match how a completion is compared with the answer: exact, normalized or prefix
     * @param chunk items graded between checkpoints
     */
    record Params(
            @NotBlank String model,
            @NotBlank String items,
            @Min(1) @Max(256) Integer samples,
            @PositiveOrZero @DecimalMax("10") Double temperature,
            Long seed,
            @Min(1) @Max(4096) Integer maxTokens,
            @Min(1) @Max(4096) Integer steps,
            @Min(1) @Max(4096) Integer blockLength,
            String match,
            @Min(1) @Max(10_000) Integer chunk) {

        Params {
            samples = samples == null ? 1 : samples;
            temperature = temperature == null ? (samples == 1 ? 0.0 : 1.0) : temperature;
            seed = seed == null ? 0L : seed;
            maxTokens = maxTokens == null ? 32 : maxTokens;
            match = match == null ? "exact" : match;
            chunk = chunk == null ? 32 : chunk;
        }

        AnswerMatch matcher() {
            try {
                return AnswerMatch.valueOf(match.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-params", "match is one of exact, normalized, prefix")
                        .with("field", "match");
            }
        }
    }

    /** What a checkpoint holds: how much of the results file is final. */
    record State(long bytes) {}

    @Override
    public String kind() {
        return "benchmark";
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Grades a served model on JSONL items (id, prompt, answer): accuracy, pass@k and pass^k over samples";
    }

    @Override
    public Params defaultParams() {
        return new Params("", "", null, null, null, null, null, null, null, null);
    }

    @Override
    public String defaultName(Params p) {
        return p.items() + " on " + p.model() + (p.samples() > 1 ? " (n=" + p.samples() + ")" : "");
    }

    @Override
    public void check(Params p) {
        p.matcher();
        BenchmarkItems.read(artifacts.existing(p.items()), p.items(), json);
        inference.requireModel(p.model());
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        List<BenchmarkItems.Item> items = BenchmarkItems.read(artifacts.existing(p.items()), p.items(), json)
                .items();
        Path out = artifacts.newPath("runs/" + context.runId() + "/results.jsonl");
        JobOutput.truncate(
                out, context.checkpointState(State.class).map(State::bytes).orElse(0L));
        int start = (int) context.resumeStep();
        if (context.resumed()) {
            context.message("resuming at item " + start + " of " + items.size());
        }
        AnswerMatch matcher = p.matcher();
        ExecutorService pool = Executors.newFixedThreadPool(properties.maxInFlight());
        try {
            for (int from = start; from < items.size(); from += p.chunk()) {
                int to = Math.min(items.size(), from + p.chunk());
                List<Future<List<String>>> pending = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    Map<String, Object> request = request(p, items.get(i), i);
                    pending.add(pool.submit(() -> inference.complete(request)));
                }
                List<String> lines = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    context.checkCancelled();
                    List<String> responses = await(pending.get(i - from), items.get(i));
                    lines.add(json.writeValueAsString(grade(items.get(i), responses, matcher)));
                }
                long bytes = JobOutput.append(out, lines);
                context.checkpoint(to, new State(bytes));
                context.progress(to, items.size());
            }
        } finally {
            pool.shutdownNow();
        }
        report(context, p, out);
    }

    private static List<String> await(Future<List<String>> future, BenchmarkItems.Item item) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "item '" + item.id() + "': the inference service failed: "
                            + e.getCause().getMessage(),
                    e);
        }
    }

    private static Map<String, Object> request(Params p, BenchmarkItems.Item item, int index) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", p.model());
        r.put("prompt", item.prompt());
        r.put("n", p.samples());
        r.put("max_tokens", p.maxTokens());
        r.put("temperature", p.temperature());
        // sample i of item j draws with seed + j·n + i: every draw distinct, the run reproducible
        r.put("seed", p.seed() + (long) index * p.samples());
        if (p.steps() != null) {
            r.put("steps", p.steps());
        }
        if (p.blockLength() != null) {
            r.put("block_length", p.blockLength());
        }
        return r;
    }

    private static Map<String, Object> grade(BenchmarkItems.Item item, List<String> responses, AnswerMatch matcher) {
        List<Boolean> correct =
                responses.stream().map(r -> matcher.matches(r, item.answer())).toList();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", item.id());
        line.put("prompt", item.prompt());
        line.put("answer", item.answer());
        line.put("responses", responses);
        line.put("correct", correct);
        line.put("passed", correct.stream().filter(c -> c).count());
        line.put("trials", responses.size());
        return line;
    }

    /** Aggregates the whole results file (so a resumed run reports every item) into metrics and report.json. */
    private void report(JobContext context, Params p, Path results) throws IOException {
        List<JsonNode> graded = Jsonl.read(results, json);
        int n = p.samples();
        double accuracy = 0;
        double[] passAt = new double[n + 1];
        double[] passHat = new double[n + 1];
        for (JsonNode g : graded) {
            int trials = g.path("trials").asInt();
            int passed = g.path("passed").asInt();
            if (trials != n) {
                throw new IllegalStateException("item '" + g.path("id").asString() + "' has " + trials
                        + " completions, not " + n + "; the inference service answered fewer choices than asked");
            }
            accuracy += (double) passed / n;
            for (int k = 1; k <= n; k++) {
                passAt[k] += PassAtK.passAtK(n, passed, k);
                passHat[k] += PassAtK.passHatK(n, passed, k);
            }
        }
        int items = graded.size();
        Map<String, Double> passAtK = new LinkedHashMap<>();
        Map<String, Double> passHatK = new LinkedHashMap<>();
        for (int k = 1; k <= n; k++) {
            passAtK.put(String.valueOf(k), passAt[k] / items);
            passHatK.put(String.valueOf(k), passHat[k] / items);
            context.metric("pass_at_k", k, passAt[k] / items);
            context.metric("pass_hat_k", k, passHat[k] / items);
        }
        context.metric("accuracy", items, accuracy / items);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", p.model());
        report.put("benchmark", p.items());
        report.put("items", items);
        report.put("samples", n);
        report.put("temperature", p.temperature());
        report.put("accuracy", accuracy / items);
        report.put("pass_at_k", passAtK);
        report.put("pass_hat_k", passHatK);
        Path file = artifacts.newPath("runs/" + context.runId() + "/report.json");
        try {
            Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        context.artifact(JobOutput.artifact("results.jsonl", results, "application/jsonl"));
        context.artifact(JobOutput.artifact("report.json", file, "application/json"));
        context.message(String.format(
                Locale.ROOT, "%d items, accuracy %.3f, pass@%d %.3f", items, accuracy / items, n, passAt[n] / items));
    }
}

package dev.lmlab.interp.experiments;

import dev.lmlab.interp.InterpProperties;
import dev.lmlab.interp.peers.EvalPeer;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A steering experiment: for every coefficient of the sweep, every prompt is answered with the vector added at the
 * hook (× the coefficient), and each answer is measured three ways — its projection on the vector as the unsteered
 * model reads it (how much of the direction the text carries), its per-token NLL under the unsteered model (coherence:
 * breaking the model is not steering it), and, with a judge, a rubric verdict through the eval service. One
 * coefficient is one checkpoint; a revived run continues with the next. The report is a dose-response table with
 * bootstrap intervals and a plot.
 */
@Component
class SteeringExperimentJob implements JobHandler<SteeringExperimentJob.Params> {

    static final String KIND = "steering-experiment";
    static final double MAX_COEFFICIENT = 1e4;
    static final int MAX_GENERATIONS = 20_000;
    static final Set<String> POSITIONS = Set.of("all", "prompt", "generated");

    private final InferencePeer inference;
    private final EvalPeer eval;
    private final VectorStore vectors;
    private final DataRoot artifacts;
    private final InterpProperties properties;
    private final JsonMapper json;

    SteeringExperimentJob(
            InferencePeer inference,
            EvalPeer eval,
            VectorStore vectors,
            DataRoot artifacts,
            InterpProperties properties,
            JsonMapper json) {
        this.inference = inference;
        this.eval = eval;
        this.vectors = vectors;
        this.artifacts = artifacts;
        this.properties = properties;
        this.json = json;
    }

    /**
     * @param vectorId a stored vector; or {@code vector}, its name for this model and hook; or {@code expression}
     * @param coefficients the sweep: each generation adds coefficient × vector at the hook (0 = unsteered)
     * @param prompts strings, or {@code {"messages": [...]}} for chat
     * @param samples answers per prompt and coefficient (seeds differ per sample, not per coefficient: paired)
     * @param positions where the vector is added: {@code all} (default), {@code prompt} or {@code generated}
     * @param judge an eval grader spec (typically {@code {"type": "judge", "target": ..., "rubric": [...]}})
     * @param maxPerplexityRatio a coefficient whose answers' perplexity exceeds this × the baseline's is marked
     *     incoherent
     */
    record Params(
            @NotBlank String model,
            @NotBlank String hook,
            String vectorId,
            String vector,
            String expression,
            @NotNull @Size(min = 1, max = 1000) List<@NotNull Double> coefficients,
            @NotNull @Size(min = 1, max = 100_000) List<@NotNull JsonNode> prompts,
            @Min(1) @Max(4096) Integer maxTokens,
            @DecimalMin("0") @DecimalMax("10") Double temperature,
            Long seed,
            @Min(1) @Max(64) Integer samples,
            String positions,
            JsonNode judge,
            @DecimalMin("1") Double maxPerplexityRatio) {

        Params {
            maxTokens = maxTokens == null ? 32 : maxTokens;
            temperature = temperature == null ? 0.0 : temperature;
            seed = seed == null ? 0L : seed;
            samples = samples == null ? 1 : samples;
            positions = positions == null ? "all" : positions;
            judge = judge == null || judge.isNull() ? null : judge;
            maxPerplexityRatio = maxPerplexityRatio == null ? 2.0 : maxPerplexityRatio;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Steers a model along a vector over a coefficient sweep; projection, coherence and judge dose-response";
    }

    @Override
    public Params defaultParams() {
        return new Params(
                "",
                "blocks.0.hook_resid_post",
                null,
                "",
                null,
                List.of(-4.0, 0.0, 4.0),
                List.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Override
    public String defaultName(Params p) {
        String vector = p.expression() != null ? p.expression() : p.vector() != null ? p.vector() : p.vectorId();
        return "steering " + p.model() + " along " + vector;
    }

    @Override
    public void check(Params p) {
        InferencePeer.ModelInfo model = inference.model(p.model());
        InferencePeer.requireHooks(model, List.of(p.hook()), "hook");
        SteeringVectorRef.check(vectors, model, p.hook(), p.vectorId(), p.vector(), p.expression());
        if (p.coefficients().size() > properties.maxCoefficients()) {
            throw invalid("coefficients", "a sweep tries at most " + properties.maxCoefficients() + " coefficients");
        }
        for (Double c : p.coefficients()) {
            if (!Double.isFinite(c) || Math.abs(c) > MAX_COEFFICIENT) {
                throw invalid("coefficients", "coefficients are finite numbers within ±" + MAX_COEFFICIENT);
            }
        }
        if (p.prompts().size() > properties.maxPrompts()) {
            throw invalid("prompts", "an experiment uses at most " + properties.maxPrompts() + " prompts");
        }
        long generations = (long) p.coefficients().size() * p.prompts().size() * p.samples();
        if (generations > MAX_GENERATIONS) {
            throw invalid(
                    "coefficients",
                    "coefficients × prompts × samples = " + generations + "; the most is " + MAX_GENERATIONS);
        }
        for (int i = 0; i < p.prompts().size(); i++) {
            JsonNode prompt = p.prompts().get(i);
            boolean text = prompt.isString() && !prompt.asString().isBlank();
            boolean chat = prompt.isObject()
                    && prompt.path("messages").isArray()
                    && !prompt.get("messages").isEmpty();
            if (!text && !chat) {
                throw invalid("prompts[" + i + "]", "a prompt is a non-empty string or {\"messages\": [...]}");
            }
        }
        if (!POSITIONS.contains(p.positions())) {
            throw invalid("positions", "positions is one of " + POSITIONS);
        }
        if (p.judge() != null) {
            eval.check(p.judge(), "judge");
        }
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        InferencePeer.ModelInfo model = inference.model(p.model());
        StoredVector v = SteeringVectorRef.resolve(
                vectors, model, p.hook(), p.vectorId(), p.vector(), p.expression(), context.runId(), json);
        String folder = "experiments/" + context.runId();
        Path generations = artifacts.newPath(folder + "/generations.jsonl");
        long bytes = context.checkpointState(State.class).map(State::bytes).orElse(0L);
        JobOutput.truncate(generations, bytes);
        Measurements measure = new Measurements(inference, model, p.hook(), v);
        int total = p.coefficients().size();
        for (int ci = (int) context.resumeStep(); ci < total; ci++) {
            context.checkCancelled();
            double c = p.coefficients().get(ci);
            List<ObjectNode> rows = generate(p, v, ci, c);
            measure.measure(rows);
            if (p.judge() != null) {
                judge(p.judge(), rows);
            }
            List<String> lines = new ArrayList<>();
            rows.forEach(r -> lines.add(json.writeValueAsString(r)));
            bytes = JobOutput.append(generations, lines);
            DoseResponse.Row summary = DoseResponse.row(c, rows);
            if (summary.projection() != null) {
                context.metric("projection", ci, summary.projection());
            }
            if (summary.nll() != null) {
                context.metric("nll_per_token", ci, summary.nll());
            }
            if (summary.judgeScore() != null) {
                context.metric("judge_score", ci, summary.judgeScore());
            }
            context.checkpoint(ci + 1, new State(bytes));
            context.progress(ci + 1, total);
        }
        List<JsonNode> all = new ArrayList<>();
        for (String line : Files.readAllLines(generations)) {
            if (!line.isBlank()) {
                all.add(json.readTree(line));
            }
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("run_id", context.runId().toString());
        head.put("model", p.model());
        head.put("hook", p.hook());
        head.put("vector", Map.of("id", v.id().toString(), "name", v.name(), "norm", v.norm()));
        head.put("prompts", p.prompts().size());
        head.put("samples", p.samples());
        head.put("positions", p.positions());
        DoseResponse.Written written =
                DoseResponse.write(head, p.coefficients(), all, p.maxPerplexityRatio(), artifacts, folder, json);
        context.artifact(JobOutput.artifact("generations.jsonl", generations, "application/jsonl"));
        context.artifact(JobOutput.artifact("report.json", written.json(), "application/json"));
        context.artifact(JobOutput.artifact("report.md", written.markdown(), "text/markdown"));
        context.artifact(JobOutput.artifact("dose-response.png", written.plot(), "image/png"));
        context.message(written.summary());
    }

    record State(long bytes) {}

    private List<ObjectNode> generate(Params p, StoredVector v, int ci, double c) {
        List<ObjectNode> rows = new ArrayList<>();
        for (int pi = 0; pi < p.prompts().size(); pi++) {
            JsonNode prompt = p.prompts().get(pi);
            for (int s = 0; s < p.samples(); s++) {
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("model", p.model());
                request.put("max_tokens", p.maxTokens());
                request.put("temperature", p.temperature());
                request.put("seed", p.seed() + (long) pi * p.samples() + s); // the same seed at every coefficient
                if (c != 0) {
                    request.put(
                            "interventions",
                            List.of(Map.of(
                                    "op", "add",
                                    "hook", p.hook(),
                                    "vector_id", v.id().toString(),
                                    "scale", c,
                                    "positions", p.positions())));
                }
                JsonNode answer;
                if (prompt.isString()) {
                    request.put("prompt", prompt.asString());
                    answer = inference.completion(request);
                } else {
                    request.put("messages", prompt.get("messages"));
                    answer = inference.chat(request);
                }
                JsonNode choice = answer.path("choices").path(0);
                String text = prompt.isString()
                        ? choice.path("text").asString("")
                        : choice.path("message").path("content").asString("");
                ObjectNode row = json.createObjectNode();
                row.put("coefficient_index", ci);
                row.put("coefficient", c);
                row.put("prompt_index", pi);
                row.put("sample", s);
                row.set("prompt", prompt);
                row.put("response", text);
                row.put(
                        "completion_tokens",
                        answer.path("usage").path("completion_tokens").asInt());
                rows.add(row);
            }
        }
        return rows;
    }

    private void judge(JsonNode grader, List<ObjectNode> rows) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ObjectNode r = rows.get(i);
            JsonNode prompt = r.get("prompt");
            String text = prompt.isString() ? prompt.asString() : lastUser(prompt.get("messages"));
            items.add(Map.of(
                    "id",
                    String.valueOf(i),
                    "prompt",
                    text,
                    "response",
                    r.get("response").asString()));
        }
        ArrayNode results = (ArrayNode) eval.grade(grader, items).get("results");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode v = results.get(i);
            ObjectNode j = rows.get(i).putObject("judge");
            j.put("outcome", v.path("outcome").asString());
            j.set("score", v.get("score"));
            j.set("rubric_scores", v.get("rubric_scores"));
            j.set("rationale", v.get("rationale"));
            j.set("judge_output", v.get("judge_output"));
            j.set("judge_error", v.get("judge_error"));
        }
    }

    private static String lastUser(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).path("role").asString().equals("user")) {
                return messages.get(i).path("content").asString();
            }
        }
        return "";
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-params", detail).with("field", field);
    }
}

package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.interp.sets.ActivationSetStore;
import dev.lmlab.interp.vectors.Requests;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.job.JobRequest;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sparse autoencoders: train one on an activation set (a durable run), import one in SAELens format, list and read
 * them, and evaluate one: reconstruction metrics on a set's rows and the model's loss with the SAE spliced in.
 */
@RestController
class SaeController {

    static final int MAX_EVAL_ROWS = 100_000;
    static final int MAX_SPLICE_TEXTS = 256;

    private final SaeStore saes;
    private final VectorStore vectors;
    private final ActivationSetStore sets;
    private final InferencePeer inference;
    private final JobService jobs;
    private final DataRoot artifacts;
    private final JsonMapper json;

    SaeController(
            SaeStore saes,
            VectorStore vectors,
            ActivationSetStore sets,
            InferencePeer inference,
            JobService jobs,
            DataRoot artifacts,
            JsonMapper json) {
        this.saes = saes;
        this.vectors = vectors;
        this.sets = sets;
        this.inference = inference;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.json = json;
    }

    @Operation(summary = "Train a Top-K SAE on an activation set: {set, hook, name, d_sae | expansion, k, steps, ...}")
    @PostMapping("/saes/train")
    ResponseEntity<Run> train(
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        JobRequest parsed = JobRequest.fromBody(SaeTrainingJob.KIND, body, Set.of());
        if (body.path("name").isString()) { // "name" names the SAE (a job param); the run is named after it
            ((tools.jackson.databind.node.ObjectNode) parsed.params())
                    .put("name", body.get("name").asString());
        }
        JobRequest request = new JobRequest(
                parsed.kind(),
                "SAE " + body.path("name").asString("?") + " at "
                        + body.path("hook").asString("?"),
                parsed.params(),
                parsed.tags(),
                parsed.parentRunId());
        Run run = jobs.submit(request, Caller.of(http), idempotencyKey).run();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/runs/" + run.id()))
                .body(run);
    }

    @Operation(
            summary = "SAEs at several hooks in one run, with the per-layer table: {set, hooks, name_prefix, k,"
                    + " expansion, steps, texts, ...}")
    @PostMapping("/saes/sweep")
    ResponseEntity<Run> sweep(
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Run run = jobs.submit(JobRequest.fromBody(SaeSweepJob.KIND, body, Set.of()), Caller.of(http), idempotencyKey)
                .run();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/runs/" + run.id()))
                .body(run);
    }

    @Operation(summary = "Register an SAELens folder under the artifacts root: {path, model, hook, name}")
    @PostMapping("/saes/import")
    ResponseEntity<Map<String, Object>> importSae(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{path, model, hook, name}");
        Requests.allowOnly(body, "path", "model", "hook", "name");
        String path = Requests.text(body, "path");
        String model = Requests.text(body, "model");
        String hook = Requests.text(body, "hook");
        String name = Requests.text(body, "name");
        VectorStore.requireName(name, "name");
        InferencePeer.ModelInfo info = inference.model(model);
        InferencePeer.requireHooks(info, List.of(hook), "hook");
        Path folder = artifacts.existing(path);
        int dIn;
        int dSae;
        int k;
        try (NDManager manager = NDManager.newBaseManager();
                SparseAutoencoder sae = SparseAutoencoder.load(folder, manager)) {
            dIn = sae.dIn();
            dSae = sae.dSae();
            k = sae.k();
        } catch (RuntimeException e) {
            throw ApiException.badRequest(
                            "invalid-sae", "the folder " + path + " is not a usable SAELens SAE: " + e.getMessage())
                    .with("field", "path");
        }
        if (dIn != info.dModel()) {
            throw ApiException.badRequest(
                            "invalid-sae",
                            "the SAE reads d_in = " + dIn + " but model '" + model + "' has d_model " + info.dModel())
                    .with("field", "path");
        }
        StoredSae sae = saes.save(new StoredSae(
                UUID.randomUUID(),
                name,
                model,
                hook,
                dIn,
                dSae,
                k > 0 ? k : null,
                artifacts.relative(folder),
                "imported",
                null,
                null,
                Caller.of(http).keyName(),
                null));
        return ResponseEntity.status(HttpStatus.CREATED).body(describe(sae));
    }

    @Operation(summary = "Registered SAEs, newest first (?model=)")
    @GetMapping("/saes")
    Map<String, Object> list(@RequestParam(required = false) String model) {
        return Map.of(
                "saes",
                saes.list(model, 500).stream().map(SaeController::describe).toList());
    }

    @Operation(summary = "One SAE: shape, folder (what sae_splice names), metrics")
    @GetMapping("/saes/{id}")
    Map<String, Object> get(@PathVariable UUID id) {
        return describe(saes.require(id));
    }

    @Operation(summary = "Evaluate an SAE: {set (rows to reconstruct), max_rows, texts (for the splice loss), seed}")
    @PostMapping("/saes/{id}/evaluate")
    Map<String, Object> evaluate(@PathVariable UUID id, @RequestBody JsonNode body) {
        Requests.object(body, "{set, max_rows, texts, seed}");
        Requests.allowOnly(body, "set", "max_rows", "texts", "seed");
        StoredSae sae = saes.require(id);
        if (!body.hasNonNull("set") && !body.hasNonNull("texts")) {
            throw ApiException.badRequest("invalid-params", "give a set (reconstruction), texts (splice loss) or both");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sae", describe(sae));
        if (body.hasNonNull("set")) {
            ActivationSet set = sets.ready(Requests.uuid(body, "set"));
            if (!set.hooks().contains(sae.hook()) || set.widths().getOrDefault(sae.hook(), -1) != sae.dIn()) {
                throw ApiException.badRequest(
                                "invalid-params",
                                "set " + set.id() + " has no " + sae.hook() + " of width " + sae.dIn() + " (its hooks: "
                                        + set.widths() + ")")
                        .with("field", "set");
            }
            int maxRows = body.path("max_rows").asInt(20_000);
            if (maxRows < 1 || maxRows > MAX_EVAL_ROWS) {
                throw ApiException.badRequest("invalid-params", "max_rows is 1.." + MAX_EVAL_ROWS)
                        .with("field", "max_rows");
            }
            float[][] rows = TokenRows.open(set, sae.hook(), artifacts, 0, true).heldOut(maxRows);
            if (rows.length == 0) {
                throw ApiException.badRequest("empty-set", "set " + set.id() + " has no rows at " + sae.hook())
                        .with("field", "set");
            }
            try (NDManager manager = NDManager.newBaseManager();
                    SparseAutoencoder loaded = SparseAutoencoder.load(artifacts.existing(sae.folder()), manager)) {
                out.put("reconstruction", SaeMetrics.of(loaded, rows, manager));
            }
        }
        if (body.hasNonNull("texts")) {
            JsonNode texts = body.get("texts");
            if (!texts.isArray() || texts.isEmpty() || texts.size() > MAX_SPLICE_TEXTS) {
                throw ApiException.badRequest(
                                "invalid-params", "texts is a list of 1 to " + MAX_SPLICE_TEXTS + " strings")
                        .with("field", "texts");
            }
            List<String> list = new ArrayList<>();
            texts.forEach(t -> list.add(t.asString()));
            InferencePeer.ModelInfo model = inference.model(sae.model());
            out.put(
                    "splice",
                    SpliceLoss.of(
                            inference,
                            model,
                            sae.hook(),
                            sae.folder(),
                            list,
                            model.maskTokenId(),
                            body.path("seed").asLong(0)));
        }
        return out;
    }

    @Operation(
            summary = "Stability across post-training: {set (base model), compare_set (another checkpoint, same"
                    + " inputs), max_rows}")
    @PostMapping("/saes/{id}/compare")
    Map<String, Object> compare(@PathVariable UUID id, @RequestBody JsonNode body) {
        Requests.object(body, "{set, compare_set, max_rows}");
        Requests.allowOnly(body, "set", "compare_set", "max_rows");
        StoredSae sae = saes.require(id);
        ActivationSet a = sets.ready(Requests.uuid(body, "set"));
        ActivationSet b = sets.ready(Requests.uuid(body, "compare_set"));
        for (ActivationSet s : List.of(a, b)) {
            if (s.widths().getOrDefault(sae.hook(), -1) != sae.dIn()) {
                throw ApiException.badRequest(
                                "invalid-params",
                                "set " + s.id() + " has no " + sae.hook() + " of width " + sae.dIn() + " (its hooks: "
                                        + s.widths() + ")")
                        .with("field", s == a ? "set" : "compare_set");
            }
        }
        if (a.rowCount() != b.rowCount() || a.pooled() != b.pooled()) {
            throw ApiException.badRequest(
                            "unaligned-sets",
                            "the two sets must hold the same inputs captured the same way: " + a.rowCount() + " "
                                    + a.pooling() + " inputs vs " + b.rowCount() + " " + b.pooling())
                    .with("field", "compare_set");
        }
        int max = bounded(body, "max_rows", 20_000, 1, MAX_EVAL_ROWS);
        float[][] rowsA = TokenRows.open(a, sae.hook(), artifacts, 0, true).heldOut(max);
        float[][] rowsB = TokenRows.open(b, sae.hook(), artifacts, 0, true).heldOut(max);
        if (rowsA.length != rowsB.length) {
            throw ApiException.badRequest(
                            "unaligned-sets",
                            "the sets tokenise their inputs differently (" + rowsA.length + " vs " + rowsB.length
                                    + " tokens): compare checkpoints that share a tokenizer")
                    .with("field", "compare_set");
        }
        try (NDManager manager = NDManager.newBaseManager();
                SparseAutoencoder loaded = SparseAutoencoder.load(artifacts.existing(sae.folder()), manager)) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sae", describe(sae));
            out.put("set", a.id().toString());
            out.put("compare_set", b.id().toString());
            out.putAll(SaeStability.compare(loaded, rowsA, rowsB, manager));
            return out;
        }
    }

    @Operation(summary = "Feature browser data: {set (token-level), latents, top_contexts, window, bins}")
    @PostMapping("/saes/{id}/features")
    Map<String, Object> features(@PathVariable UUID id, @RequestBody JsonNode body) {
        Requests.object(body, "{set, latents, top_contexts, window, bins}");
        Requests.allowOnly(body, "set", "latents", "top_contexts", "window", "bins");
        StoredSae sae = saes.require(id);
        ActivationSet set = sets.ready(Requests.uuid(body, "set"));
        if (set.pooled() || !set.hooks().contains(sae.hook())) {
            throw ApiException.badRequest(
                            "invalid-params",
                            "the browser reads a token-level set (pooling all) captured at " + sae.hook() + "; set "
                                    + set.id() + " is " + set.pooling() + " at " + set.hooks())
                    .with("field", "set");
        }
        int top = bounded(body, "top_contexts", 10, 1, 50);
        int window = bounded(body, "window", 8, 0, 64);
        int bins = bounded(body, "bins", 20, 2, 100);
        try (NDManager manager = NDManager.newBaseManager();
                SparseAutoencoder loaded = SparseAutoencoder.load(artifacts.existing(sae.folder()), manager)) {
            List<Integer> latents = new ArrayList<>();
            if (body.hasNonNull("latents")) {
                JsonNode l = body.get("latents");
                if (!l.isArray() || l.isEmpty() || l.size() > 32) {
                    throw ApiException.badRequest("invalid-params", "latents lists 1 to 32 latent indices")
                            .with("field", "latents");
                }
                for (JsonNode x : l) {
                    if (!x.isInt() || x.asInt() < 0 || x.asInt() >= sae.dSae()) {
                        throw ApiException.badRequest("invalid-params", "latents are indices in 0.." + (sae.dSae() - 1))
                                .with("field", "latents");
                    }
                    latents.add(x.asInt());
                }
            } else {
                latents.addAll(FeatureBrowser.densest(loaded, set, sae.hook(), artifacts, 8, manager));
            }
            return FeatureBrowser.browse(
                    loaded,
                    sae,
                    set,
                    artifacts,
                    inference,
                    new FeatureBrowser.Options(latents, top, window, bins),
                    manager);
        }
    }

    @Operation(
            summary = "Steer with a feature: {latent, alpha, prompt, max_tokens | gen_length, steps, step_range,"
                    + " seed}; the steered and the plain answer")
    @PostMapping("/saes/{id}/steer")
    Map<String, Object> steer(@PathVariable UUID id, @RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{latent, alpha, prompt, ...}");
        StoredSae sae = saes.require(id);
        JsonNode latent = Requests.required(body, "latent");
        if (!latent.isInt() || latent.asInt() < 0 || latent.asInt() >= sae.dSae()) {
            throw ApiException.badRequest("invalid-params", "latent is an index in 0.." + (sae.dSae() - 1))
                    .with("field", "latent");
        }
        JsonNode alpha = Requests.required(body, "alpha");
        if (!alpha.isNumber() || !Double.isFinite(alpha.asDouble()) || Math.abs(alpha.asDouble()) > 1e4) {
            throw ApiException.badRequest("invalid-params", "alpha is a finite number within ±1e4")
                    .with("field", "alpha");
        }
        int[] range = null;
        if (body.hasNonNull("step_range")) {
            JsonNode r = body.get("step_range");
            if (!r.isArray()
                    || r.size() != 2
                    || !r.get(0).isInt()
                    || !r.get(1).isInt()
                    || r.get(0).asInt() < 0
                    || r.get(1).asInt() <= r.get(0).asInt()
                    || r.get(1).asInt() > 4096) {
                throw ApiException.badRequest("invalid-params", "step_range is [from, to) with 0 <= from < to <= 4096")
                        .with("field", "step_range");
            }
            range = new int[] {r.get(0).asInt(), r.get(1).asInt()};
        }
        tools.jackson.databind.node.ObjectNode request = ((tools.jackson.databind.node.ObjectNode) body).deepCopy();
        request.remove(List.of("latent", "alpha", "step_range"));
        Requests.text(request, "prompt");
        InferencePeer.ModelInfo model = inference.model(sae.model());
        var vector = FeatureSteering.vector(
                sae, latent.asInt(), vectors, artifacts, json, Caller.of(http).keyName());
        return FeatureSteering.steer(inference, model, sae, vector, alpha.asDouble(), range, request);
    }

    @Operation(
            summary = "SAE-scored vs confidence decoding order for a diffusion model: {prompts: [{prompt, answer}],"
                    + " gen_length, steps, score, latent}")
    @PostMapping("/saes/{id}/decoding-order")
    Map<String, Object> decodingOrder(@PathVariable UUID id, @RequestBody JsonNode body) {
        Requests.object(body, "{prompts, gen_length, steps, score, latent}");
        Requests.allowOnly(body, "prompts", "gen_length", "steps", "score", "latent");
        StoredSae sae = saes.require(id);
        InferencePeer.ModelInfo model = inference.model(sae.model());
        if (!model.diffusion()) {
            throw ApiException.badRequest(
                            "not-a-diffusion-model",
                            "model '" + model.id() + "' decodes left to right: no order to choose")
                    .with("field", "sae");
        }
        JsonNode prompts = Requests.required(body, "prompts");
        if (!prompts.isArray() || prompts.isEmpty() || prompts.size() > 32) {
            throw ApiException.badRequest("invalid-params", "prompts is a list of 1 to 32 {prompt, answer?} objects")
                    .with("field", "prompts");
        }
        List<JsonNode> list = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            if (!prompts.get(i).path("prompt").isString()) {
                throw ApiException.badRequest("invalid-params", "prompts[" + i + "] needs a string prompt")
                        .with("field", "prompts[" + i + "]");
            }
            list.add(prompts.get(i));
        }
        int genLength = bounded(body, "gen_length", 16, 1, 128);
        int steps = bounded(body, "steps", genLength, 1, genLength);
        String score = body.path("score").asString("activation_norm");
        if (!DecodingOrder.SCORES.contains(score)) {
            throw ApiException.badRequest("invalid-params", "score is one of " + DecodingOrder.SCORES)
                    .with("field", "score");
        }
        Integer latent = null;
        if (score.equals("feature")) {
            latent = bounded(body, "latent", -1, 0, sae.dSae() - 1);
        }
        try (NDManager manager = NDManager.newBaseManager();
                SparseAutoencoder loaded = SparseAutoencoder.load(artifacts.existing(sae.folder()), manager)) {
            return DecodingOrder.compare(
                    inference,
                    model,
                    sae,
                    loaded,
                    list,
                    new DecodingOrder.Settings(genLength, steps, score, latent),
                    manager);
        }
    }

    private static int bounded(JsonNode body, String field, int fallback, int min, int max) {
        int v = body.path(field).asInt(fallback);
        if (v < min || v > max) {
            throw ApiException.badRequest("invalid-params", field + " is " + min + ".." + max)
                    .with("field", field);
        }
        return v;
    }

    static Map<String, Object> describe(StoredSae s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", s.id().toString());
        d.put("name", s.name());
        d.put("model", s.model());
        d.put("hook", s.hook());
        d.put("d_in", s.dIn());
        d.put("d_sae", s.dSae());
        d.put("k", s.k());
        d.put("folder", s.folder());
        d.put("source", s.source());
        d.put("run", s.runId() == null ? null : "/api/runs/" + s.runId());
        d.put("metrics", s.metrics());
        d.put("created_at", s.createdAt());
        return d;
    }
}

package dev.lmlab.inference.activations;

import dev.lmlab.core.hooks.Intervention;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.model.HookPoints;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import dev.lmlab.inference.engine.Failures;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.steering.Steering;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/activations}: activations at hook points for a few inputs, as JSON or (with {@code Accept:
 * application/octet-stream}) as one safetensors file. Large captures belong in an {@code activation-capture} job.
 */
@RestController
class ActivationsController {

    /** Floats one response may carry (256 MiB as f32); beyond, a capture job writes shards. */
    static final long MAX_FLOATS = 64L << 20;

    private final LoadedModels models;
    private final Steering steering;
    private final JsonMapper json;

    ActivationsController(LoadedModels models, Steering steering, JsonMapper json) {
        this.models = models;
        this.steering = steering;
        this.json = json;
    }

    record Item(ActivationCapture.Input input, ActivationCapture.Captured captured) {}

    @PostMapping(value = "/v1/activations", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<?>> capture(
            @RequestBody JsonNode body, @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        String modelId = Fields.required(body, "model");
        ModelWorker worker = models.worker(modelId);
        LanguageModel model = worker.model();
        List<String> hooks = Fields.strings(body, "hooks", 256);
        if (hooks.isEmpty()) {
            throw Fields.invalid("hooks", "'hooks' must name at least one hook point, e.g. " + HookPoints.residPost(0));
        }
        for (String h : hooks) {
            if (!HookPoints.valid(h, model.config().numLayers())) {
                throw ApiException.badRequest("unknown-hook", "unknown hook point '" + h + "'")
                        .with("field", "hooks")
                        .with("hooks", HookPoints.all(model.config().numLayers()));
            }
        }
        ActivationCapture.Reduce reduce = reduce(Fields.string(body, "positions", "all"));
        JsonNode items = body.get("inputs");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw Fields.invalid("inputs", "'inputs' must be a non-empty list");
        }
        List<ActivationCapture.Input> inputs = new ArrayList<>();
        long floats = 0;
        for (int i = 0; i < items.size(); i++) {
            ActivationCapture.Input in = ActivationInputs.parse(model, items.get(i), "inputs[" + i + "]");
            if (in.ids().length > model.config().maxPositions()) {
                throw ApiException.badRequest(
                        "context-length-exceeded",
                        "inputs[" + i + "] has " + in.ids().length + " tokens, more than the model's context of "
                                + model.config().maxPositions());
            }
            inputs.add(in);
            floats += (long) (reduce == ActivationCapture.Reduce.ALL ? in.ids().length : 1)
                    * hooks.size()
                    * model.config().hiddenSize();
        }
        if (floats > MAX_FLOATS) {
            throw ApiException.badRequest(
                    "response-too-large",
                    "this capture would return " + floats + " floats;" + " at most " + MAX_FLOATS
                            + " fit one response. Submit an activation-capture job instead.");
        }
        List<Intervention> steer =
                Steering.present(body.get("interventions")) ? steering.parse(body.get("interventions")) : List.of();
        boolean binary = accept != null && accept.contains(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        java.util.function.Function<String, SparseAutoencoder> saes = steering.saes(model);
        return Failures.answer(worker.<List<Item>>run(m -> {
                            List<Item> out = new ArrayList<>();
                            for (ActivationCapture.Input in : inputs) {
                                out.add(new Item(in, ActivationCapture.run(m, in, hooks, reduce, steer, saes)));
                            }
                            return out;
                        })
                        .result())
                .thenApply(captured -> binary
                        ? safetensors(modelId, model, hooks, reduce, captured)
                        : ResponseEntity.ok(json(modelId, model, hooks, reduce, captured)));
    }

    private static ActivationCapture.Reduce reduce(String positions) {
        try {
            return ActivationCapture.Reduce.parse(positions);
        } catch (IllegalArgumentException e) {
            throw Fields.invalid("positions", "'positions' is all, last, mean, mean_prompt or mean_response");
        }
    }

    private static Map<String, Object> json(
            String modelId,
            LanguageModel model,
            List<String> hooks,
            ActivationCapture.Reduce reduce,
            List<Item> items) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelId);
        out.put("hooks", hooks);
        out.put("positions", reduce.name().toLowerCase());
        out.put("d_model", model.config().hiddenSize());
        List<Map<String, Object>> rendered = new ArrayList<>();
        for (Item item : items) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("token_ids", item.input().ids());
            r.put("tokens", tokens(model, item.input().ids()));
            r.put("prompt_length", item.input().promptLength());
            Map<String, Object> acts = new LinkedHashMap<>();
            int d = item.captured().width();
            item.captured().values().forEach((hook, values) -> {
                List<float[]> rows = new ArrayList<>();
                for (int i = 0; i < item.captured().rows(); i++) {
                    rows.add(java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d));
                }
                acts.put(hook, reduce == ActivationCapture.Reduce.ALL ? rows : rows.get(0));
            });
            r.put("activations", acts);
            rendered.add(r);
        }
        out.put("items", rendered);
        return out;
    }

    private ResponseEntity<byte[]> safetensors(
            String modelId,
            LanguageModel model,
            List<String> hooks,
            ActivationCapture.Reduce reduce,
            List<Item> items) {
        SafetensorsWriter writer = ActivationShards.writer(
                json,
                modelId,
                model,
                hooks,
                reduce,
                items.stream()
                        .map(i -> new ActivationShards.Row(i.input(), i.captured()))
                        .toList());
        try {
            Path tmp = Files.createTempFile("lmlab-activations", ".safetensors");
            try {
                writer.write(tmp);
                return ResponseEntity.ok()
                        .contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"activations.safetensors\"")
                        .body(Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> tokens(LanguageModel model, long[] ids) {
        List<String> out = new ArrayList<>();
        for (long id : ids) {
            out.add(model.tokenizer().decode(new long[] {id}, false));
        }
        return out;
    }
}

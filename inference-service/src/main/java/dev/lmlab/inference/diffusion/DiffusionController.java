package dev.lmlab.inference.diffusion;

import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.DiffusionResult;
import dev.lmlab.core.generate.TrajectoryStep;
import dev.lmlab.core.hooks.InterventionRuntime;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.InferenceProperties;
import dev.lmlab.inference.engine.Failures;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.engine.Ticket;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.steering.Steering;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.inference.text.Prompts;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/diffusion/generate}: masked-diffusion decoding with its trajectory, free or guided by a
 * reference response (the self-distilled order TABOM trains on).
 */
@RestController
class DiffusionController {

    private final LoadedModels models;
    private final Steering steering;
    private final InferenceProperties properties;

    DiffusionController(LoadedModels models, Steering steering, InferenceProperties properties) {
        this.models = models;
        this.steering = steering;
        this.properties = properties;
    }

    @PostMapping(value = "/v1/diffusion/generate", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<Map<String, Object>> generate(@RequestBody JsonNode body) {
        String modelId = Fields.required(body, "model");
        ModelWorker worker = models.worker(modelId);
        LanguageModel model = worker.model();
        if (!model.config().maskedDiffusion()) {
            throw ApiException.badRequest(
                            "not-a-diffusion-model",
                            "'" + modelId + "' (" + model.config().architecture() + ") is causal; diffusion decoding"
                                    + " needs a masked-diffusion model. Use /v1/completions for it.")
                    .with("field", "model");
        }
        long[] prompt = prompt(model, body);
        long[] reference = Fields.has(body, "reference")
                ? Prompts.check(model, referenceIds(model, body.get("reference")), "reference")
                : null;
        int genLength = reference != null
                ? reference.length
                : Fields.integer(body, "gen_length", 128, 1, properties.maxNewTokens());
        if (prompt.length + genLength > model.config().maxPositions()) {
            throw ApiException.badRequest(
                            "context-length-exceeded",
                            "prompt (" + prompt.length + ") + gen_length (" + genLength + ") exceed the model's"
                                    + " context of " + model.config().maxPositions())
                    .with("field", "gen_length");
        }
        boolean trajectory = Fields.bool(body, "return_trajectory", false);
        long seed = Fields.longValue(body, "seed", 0L);
        DiffusionParams params = DiffusionSettings.from(model, body, genLength, seed, trajectory || reference != null);
        JsonNode interventions = body.get("interventions");
        Ticket<DiffusionResult> ticket;
        if (reference != null) {
            long[] ref = reference;
            ticket = worker.run(m -> new DiffusionDecoder(m).guided(prompt, ref, params.steps(), params.blockLength()));
        } else if (Steering.present(interventions)) {
            InterventionRuntime runtime = steering.runtime(model, interventions);
            ticket = worker.run(m -> {
                try (runtime) {
                    return new DiffusionDecoder(m)
                            .generate(List.of(prompt), params, runtime)
                            .get(0);
                }
            });
        } else {
            ticket = worker.diffuse(prompt, params);
        }
        return Failures.answer(ticket.result())
                .thenApply(r -> render(modelId, model, r, trajectory, reference != null));
    }

    private static long[] prompt(LanguageModel model, JsonNode body) {
        if (Fields.has(body, "prompt_ids")) {
            return Prompts.check(model, Prompts.ids(body.get("prompt_ids"), "prompt_ids"), "prompt_ids");
        }
        if (Fields.has(body, "messages")) {
            return Prompts.chat(model, body.get("messages"), "messages");
        }
        return Prompts.encode(model, body.get("prompt"), "prompt");
    }

    private static long[] referenceIds(LanguageModel model, JsonNode reference) {
        return reference.isString()
                ? model.tokenizer().encode(reference.asString())
                : Prompts.ids(reference, "reference");
    }

    static Map<String, Object> render(
            String modelId, LanguageModel model, DiffusionResult r, boolean trajectory, boolean guided) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelId);
        out.put("text", r.text());
        out.put("output_ids", r.outputIds());
        out.put("prompt_tokens", r.promptIds().length);
        out.put("forward_passes", r.forwardPasses());
        out.put("guided", guided);
        if (trajectory || guided) {
            out.put("decoding_order", r.decodingOrder());
        }
        if (trajectory) {
            List<Map<String, Object>> steps = new ArrayList<>();
            for (TrajectoryStep s : r.trajectory()) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("step", s.step());
                step.put("block", s.block());
                step.put("positions", s.positions());
                step.put("tokens", s.tokens());
                List<String> texts = new ArrayList<>();
                for (long t : s.tokens()) {
                    texts.add(model.tokenizer().decode(new long[] {t}, false));
                }
                step.put("token_texts", texts);
                step.put("confidences", s.confidences());
                step.put("masked_positions", s.maskedPositions());
                step.put("entropies", s.maskedEntropies());
                steps.add(step);
            }
            out.put("trajectory", steps);
        }
        return out;
    }
}

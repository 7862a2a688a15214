package dev.lmlab.inference.score;

import dev.lmlab.core.hooks.InterventionRuntime;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.engine.Failures;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.steering.Steering;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.inference.text.Prompts;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code POST /v1/score}: how likely given tokens are. Causal models: {@code log p(x_t | x_<t)} per input
 * position (the first one null, as OpenAI's echo logprobs). Masked-diffusion models: {@code log p(target | input)}
 * at each mask position of the input, and with a {@code response}, LLaDA's Monte Carlo NELBO of it.
 */
@RestController
class ScoreController {

    private final LoadedModels models;
    private final Steering steering;

    ScoreController(LoadedModels models, Steering steering) {
        this.models = models;
        this.steering = steering;
    }

    @PostMapping(value = "/v1/score", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<Map<String, Object>> score(@RequestBody JsonNode body) {
        String modelId = Fields.required(body, "model");
        ModelWorker worker = models.worker(modelId);
        LanguageModel model = worker.model();
        int top = Fields.integer(body, "top_logprobs", 0, 0, 20);
        InterventionRuntime runtime =
                Steering.present(body.get("interventions")) ? steering.runtime(model, body.get("interventions")) : null;
        Hooks hooks = runtime == null ? Hooks.NONE : runtime;
        CompletableFuture<Map<String, Object>> result;
        try {
            if (model.config().maskedDiffusion()
                    && (Fields.has(body, "response") || Fields.has(body, "response_ids"))) {
                result = nelbo(worker, modelId, body, hooks);
            } else if (model.config().maskedDiffusion()) {
                result = masked(worker, modelId, body, hooks, top);
            } else {
                result = causal(worker, modelId, body, hooks, top);
            }
        } catch (RuntimeException e) {
            if (runtime != null) {
                runtime.close();
            }
            throw e;
        }
        if (runtime != null) {
            result.whenComplete((r, e) -> runtime.close());
        }
        return Failures.answer(result);
    }

    private CompletableFuture<Map<String, Object>> causal(
            ModelWorker worker, String modelId, JsonNode body, Hooks hooks, int top) {
        LanguageModel model = worker.model();
        long[] ids = input(model, body);
        checkContext(model, ids.length);
        return worker.<Map<String, Object>>run(m -> {
                    float[] logp = Scoring.logSoftmax(m, ids, hooks, ids.length);
                    int v = logp.length / ids.length;
                    List<Double> logprobs = new ArrayList<>();
                    List<Object> tops = new ArrayList<>();
                    logprobs.add(null);
                    tops.add(null);
                    for (int t = 1; t < ids.length; t++) {
                        logprobs.add((double) logp[(t - 1) * v + (int) ids[t]]);
                        tops.add(top > 0 ? alternatives(m, logp, (t - 1) * v, v, top) : null);
                    }
                    Map<String, Object> out = header(modelId, m, ids);
                    out.put("token_logprobs", logprobs);
                    if (top > 0) {
                        out.put("top_logprobs", tops);
                    }
                    double sum = logprobs.stream()
                            .skip(1)
                            .mapToDouble(Double::doubleValue)
                            .sum();
                    out.put("sum_logprob", sum);
                    return out;
                })
                .result();
    }

    private CompletableFuture<Map<String, Object>> masked(
            ModelWorker worker, String modelId, JsonNode body, Hooks hooks, int top) {
        LanguageModel model = worker.model();
        long[] ids = input(model, body);
        checkContext(model, ids.length);
        long mask = Prompts.maskId(model);
        int maskedCount = (int) Arrays.stream(ids).filter(x -> x == mask).count();
        if (maskedCount == 0) {
            throw Fields.invalid(
                    "input_ids",
                    "the input holds no mask token (" + mask + "); mask the positions to"
                            + " score, or send 'response' for a NELBO");
        }
        long[] targets = Fields.has(body, "target_ids") ? Prompts.ids(body.get("target_ids"), "target_ids") : null;
        if (targets != null && targets.length != ids.length && targets.length != maskedCount) {
            throw Fields.invalid(
                    "target_ids",
                    "'target_ids' must be as long as input_ids (" + ids.length + ") or hold"
                            + " one id per masked position (" + maskedCount + "), got " + targets.length);
        }
        if (targets != null) {
            Prompts.check(model, targets, "target_ids");
        }
        return worker.<Map<String, Object>>run(m -> {
                    float[] logp = Scoring.logSoftmax(m, ids, hooks, ids.length);
                    int v = logp.length / ids.length;
                    List<Double> logprobs = new ArrayList<>();
                    List<Object> predicted = new ArrayList<>();
                    List<Object> tops = new ArrayList<>();
                    int k = 0;
                    for (int t = 0; t < ids.length; t++) {
                        if (ids[t] != mask) {
                            logprobs.add(null);
                            predicted.add(null);
                            tops.add(null);
                            continue;
                        }
                        int best = argmax(logp, t * v, v);
                        predicted.add(best);
                        if (targets != null) {
                            long target = targets.length == ids.length ? targets[t] : targets[k];
                            logprobs.add((double) logp[t * v + (int) target]);
                        } else {
                            logprobs.add((double) logp[t * v + best]);
                        }
                        tops.add(top > 0 ? alternatives(m, logp, t * v, v, top) : null);
                        k++;
                    }
                    Map<String, Object> out = header(modelId, m, ids);
                    out.put("token_logprobs", logprobs);
                    out.put("predicted_ids", predicted);
                    if (top > 0) {
                        out.put("top_logprobs", tops);
                    }
                    return out;
                })
                .result();
    }

    private CompletableFuture<Map<String, Object>> nelbo(
            ModelWorker worker, String modelId, JsonNode body, Hooks hooks) {
        LanguageModel model = worker.model();
        long[] prompt = Fields.has(body, "prompt_ids")
                ? Prompts.check(model, Prompts.ids(body.get("prompt_ids"), "prompt_ids"), "prompt_ids")
                : Fields.has(body, "messages")
                        ? Prompts.chat(model, body.get("messages"), "messages")
                        : Prompts.encode(model, body.get("prompt"), "prompt");
        long[] response = Fields.has(body, "response_ids")
                ? Prompts.check(model, Prompts.ids(body.get("response_ids"), "response_ids"), "response_ids")
                : Prompts.check(model, model.tokenizer().encode(Fields.string(body, "response", "")), "response");
        checkContext(model, prompt.length + response.length);
        int samples = Fields.integer(body, "mc_samples", 128, 1, 4096);
        long seed = Fields.longValue(body, "seed", 0L);
        long mask = Prompts.maskId(model);
        return worker.<Map<String, Object>>run(m -> {
                    Scoring.Nelbo n = Scoring.nelbo(m, prompt, response, mask, samples, seed, hooks);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("model", modelId);
                    out.put("prompt_tokens", prompt.length);
                    out.put("response_tokens", response.length);
                    out.put("mc_samples", n.samples());
                    out.put("nelbo", n.nelbo());
                    out.put("nelbo_per_token", n.nelbo() / response.length);
                    out.put("log_likelihood_lower_bound", -n.nelbo());
                    out.put("standard_error", Double.isNaN(n.standardError()) ? null : n.standardError());
                    return out;
                })
                .result();
    }

    private static long[] input(LanguageModel model, JsonNode body) {
        if (Fields.has(body, "input_ids")) {
            return Prompts.check(model, Prompts.ids(body.get("input_ids"), "input_ids"), "input_ids");
        }
        if (!Fields.has(body, "text")) {
            throw Fields.invalid("text", "send 'text' or 'input_ids' to score");
        }
        return Prompts.encode(model, body.get("text"), "text");
    }

    private static void checkContext(LanguageModel model, int length) {
        if (length > model.config().maxPositions()) {
            throw ApiException.badRequest(
                            "context-length-exceeded",
                            length + " tokens exceed the model's context of "
                                    + model.config().maxPositions())
                    .with("context_length", model.config().maxPositions());
        }
    }

    private static Map<String, Object> header(String modelId, LanguageModel m, long[] ids) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelId);
        out.put("input_ids", ids);
        List<String> tokens = new ArrayList<>();
        for (long id : ids) {
            tokens.add(m.tokenizer().decode(new long[] {id}, false));
        }
        out.put("tokens", tokens);
        return out;
    }

    private static List<Map<String, Object>> alternatives(LanguageModel m, float[] logp, int from, int v, int k) {
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logp[from + b], logp[from + a]));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, v); i++) {
            Map<String, Object> alt = new LinkedHashMap<>();
            alt.put("token_id", order[i]);
            alt.put("token", m.tokenizer().decode(new long[] {order[i]}, false));
            alt.put("logprob", (double) logp[from + order[i]]);
            out.add(alt);
        }
        return out;
    }

    private static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[from + i] > x[from + best]) {
                best = i;
            }
        }
        return best;
    }
}

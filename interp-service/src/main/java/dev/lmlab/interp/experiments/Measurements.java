package dev.lmlab.interp.experiments;

import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.vectors.StoredVector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a steered answer is measured by, always with the unsteered model: the mean activation over the answer's
 * tokens projected on the unit steering direction (the direction the text carries), and the answer's per-token NLL
 * given its prompt (for causal models from the token log-probabilities, for masked-diffusion models LLaDA's NELBO per
 * token). An empty answer has neither and is counted apart.
 */
final class Measurements {

    static final int MC_SAMPLES = 32;

    private final InferencePeer inference;
    private final InferencePeer.ModelInfo model;
    private final String hook;
    private final double[] unit;

    Measurements(InferencePeer inference, InferencePeer.ModelInfo model, String hook, StoredVector v) {
        this.inference = inference;
        this.model = model;
        this.hook = hook;
        this.unit = new double[v.width()];
        double norm = v.norm();
        for (int i = 0; i < unit.length; i++) {
            unit[i] = norm == 0 ? 0 : v.values()[i] / norm;
        }
    }

    void measure(List<ObjectNode> rows) {
        List<ObjectNode> answered = rows.stream()
                .filter(r -> !r.get("response").asString().isEmpty())
                .toList();
        if (answered.isEmpty()) {
            return;
        }
        List<Object> inputs = new ArrayList<>();
        for (ObjectNode r : answered) {
            inputs.add(input(r));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model.id());
        request.put("inputs", inputs);
        request.put("hooks", List.of(hook));
        request.put("positions", "mean_response");
        JsonNode items = inference.activationsJson(request).get("items");
        for (int i = 0; i < answered.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode act = item.get("activations").get(hook);
            double p = 0;
            for (int j = 0; j < unit.length; j++) {
                p += act.get(j).asDouble() * unit[j];
            }
            ObjectNode row = answered.get(i);
            row.put("projection", p);
            double nll = nll(row, item);
            if (Double.isFinite(nll)) {
                row.put("nll_per_token", nll);
            }
        }
    }

    private double nll(ObjectNode row, JsonNode captured) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model.id());
        if (model.diffusion()) {
            JsonNode prompt = row.get("prompt");
            if (prompt.isString()) {
                request.put("prompt", prompt.asString());
            } else {
                request.put("messages", prompt.get("messages"));
            }
            request.put("response", row.get("response").asString());
            request.put("mc_samples", MC_SAMPLES);
            request.put("seed", 0);
            return inference.score(request).path("nelbo_per_token").asDouble();
        }
        JsonNode ids = captured.get("token_ids");
        int promptLength = captured.path("prompt_length").asInt();
        request.put("input_ids", ids);
        JsonNode lp = inference.score(request).get("token_logprobs");
        double sum = 0;
        int n = 0;
        for (int t = Math.max(1, promptLength); t < lp.size(); t++) {
            sum -= lp.get(t).asDouble();
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static Object input(ObjectNode row) {
        JsonNode prompt = row.get("prompt");
        String response = row.get("response").asString();
        if (prompt.isString()) {
            return Map.of("prompt", prompt.asString(), "response", response);
        }
        List<Object> messages = new ArrayList<>();
        prompt.get("messages").forEach(messages::add);
        messages.add(Map.of("role", "assistant", "content", response));
        return Map.of("messages", messages);
    }
}

package dev.lmlab.inference.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.engine.Failures;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.text.Fields;
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
 * {@code POST /v1/unembed}: directions in the residual stream read through the model's unembedding (lm_head, or the
 * embedding when tied), without the final norm — which tokens a direction (an SAE decoder row, a steering vector)
 * promotes and which it suppresses. What the feature browser shows next to a latent's top contexts.
 */
@RestController
class UnembedController {

    static final int MAX_VECTORS = 256;

    private final LoadedModels models;

    UnembedController(LoadedModels models) {
        this.models = models;
    }

    @PostMapping(value = "/v1/unembed", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<Map<String, Object>> unembed(@RequestBody JsonNode body) {
        String modelId = Fields.required(body, "model");
        int top = Fields.integer(body, "top", 10, 1, 100);
        ModelWorker worker = models.worker(modelId);
        int d = worker.model().config().hiddenSize();
        JsonNode vectors = body.get("vectors");
        if (vectors == null || !vectors.isArray() || vectors.isEmpty() || vectors.size() > MAX_VECTORS) {
            throw ApiException.badRequest("invalid-vectors", "vectors is a list of 1 to " + MAX_VECTORS + " vectors")
                    .with("field", "vectors");
        }
        float[] flat = new float[vectors.size() * d];
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode v = vectors.get(i);
            if (!v.isArray() || v.size() != d) {
                throw ApiException.badRequest(
                                "invalid-vectors",
                                "vectors[" + i + "] has " + v.size() + " values; model '" + modelId + "' has d_model "
                                        + d)
                        .with("field", "vectors[" + i + "]");
            }
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) v.get(j).asDouble();
            }
        }
        int n = vectors.size();
        return Failures.answer(
                worker.<Map<String, Object>>run(m -> read(m, flat, n, d, top)).result());
    }

    private static Map<String, Object> read(LanguageModel m, float[] flat, int n, int d, int top) {
        try (NDManager scope = m.manager().newSubManager()) {
            NDArray head = m.transformer().weights().lmHead(); // (V, D)
            NDArray v = scope.create(flat, new Shape(n, d)).toType(head.getDataType(), false);
            float[] logits =
                    v.dot(head.transpose()).toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = logits.length / n;
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Integer[] order = new Integer[vocab];
                for (int t = 0; t < vocab; t++) {
                    order[t] = t;
                }
                int base = i * vocab;
                java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[base + b], logits[base + a]));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("promoted", tokens(m, logits, base, order, 0, top, 1));
                r.put("suppressed", tokens(m, logits, base, order, vocab - 1, top, -1));
                out.add(r);
            }
            return Map.of("vocab_size", vocab, "results", out);
        }
    }

    private static List<Map<String, Object>> tokens(
            LanguageModel m, float[] logits, int base, Integer[] order, int from, int top, int step) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0, p = from; i < top && p >= 0 && p < order.length; i++, p += step) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", order[p]);
            t.put("token", m.tokenizer().decode(new long[] {order[p]}, false));
            t.put("logit", logits[base + order[p]]);
            out.add(t);
        }
        return out;
    }
}

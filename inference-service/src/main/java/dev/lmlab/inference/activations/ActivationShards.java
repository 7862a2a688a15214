package dev.lmlab.inference.activations;

import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captured activations as one safetensors file. Reduced captures stack into {@code <hook>} (N, D); full ones keep
 * one tensor per input, {@code <hook>/<i>} (T_i, D). Token ids travel as {@code token_ids/<i>}, and the metadata
 * holds the model, hooks, reduction, prompt lengths and token strings as JSON.
 */
public final class ActivationShards {

    private ActivationShards() {}

    public record Row(ActivationCapture.Input input, ActivationCapture.Captured captured) {}

    public static SafetensorsWriter writer(
            JsonMapper json,
            String modelId,
            LanguageModel model,
            List<String> hooks,
            ActivationCapture.Reduce reduce,
            List<Row> rows) {
        SafetensorsWriter w = new SafetensorsWriter();
        int d = model.config().hiddenSize();
        for (String hook : hooks) {
            if (reduce == ActivationCapture.Reduce.ALL) {
                for (int i = 0; i < rows.size(); i++) {
                    float[] v = rows.get(i).captured().values().get(hook);
                    w.addFloats(hook + "/" + i, new long[] {v.length / d, d}, v);
                }
            } else {
                float[] stacked = new float[rows.size() * d];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(rows.get(i).captured().values().get(hook), 0, stacked, i * d, d);
                }
                w.addFloats(hook, new long[] {rows.size(), d}, stacked);
            }
        }
        List<Integer> promptLengths = new ArrayList<>();
        List<List<String>> tokens = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            long[] ids = rows.get(i).input().ids();
            w.addLongs("token_ids/" + i, new long[] {ids.length}, ids);
            promptLengths.add(rows.get(i).input().promptLength());
            tokens.add(ActivationsController.tokens(model, ids));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", modelId);
        meta.put("hooks", hooks);
        meta.put("positions", reduce.name().toLowerCase());
        meta.put("d_model", d);
        meta.put("prompt_lengths", promptLengths);
        meta.put("tokens", tokens);
        w.metadata("lmlab", json.writeValueAsString(meta));
        return w;
    }
}

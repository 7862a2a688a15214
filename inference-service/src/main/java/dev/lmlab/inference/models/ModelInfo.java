package dev.lmlab.inference.models;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.ModelWeights;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a registered model is, as {@code GET /models/{id}} reports it. */
public final class ModelInfo {

    private ModelInfo() {}

    public static long parameterCount(ModelConfig config) {
        long total = 0;
        for (long[] shape : ModelWeights.expectedShapes(config).values()) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            total += n;
        }
        return total;
    }

    public static String kind(ModelConfig config) {
        return config.maskedDiffusion() ? "masked-diffusion" : "causal";
    }

    static Map<String, Object> describe(RegisteredModel m, ModelConfig config, LoadedModels.Loaded loaded) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("path", m.path());
        out.put("architecture", config.architecture());
        out.put("kind", kind(config));
        out.put("parameters", parameterCount(config));
        out.put("layers", config.numLayers());
        out.put("d_model", config.hiddenSize());
        out.put("vocab_size", config.vocabSize());
        out.put("context_length", config.maxPositions());
        if (config.maskTokenId() != null) {
            out.put("mask_token_id", config.maskTokenId());
        }
        out.put("loaded", loaded != null);
        if (loaded != null) {
            out.put(
                    "dtype",
                    loaded.worker().model().transformer().dtype().toString().toLowerCase());
            out.put("device", loaded.worker().model().manager().getDevice().toString());
            out.put("memory_bytes", loaded.bytes());
            out.put("continuous_batching", loaded.worker().continuousBatching());
            out.put("outstanding_requests", loaded.worker().outstanding());
            out.put("tokens_generated", loaded.worker().tokensGenerated());
        }
        out.put("registered_by", m.registeredBy());
        out.put("created_at", m.createdAt().toString());
        return out;
    }
}

package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.files.DataRoot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Steering with an SAE feature: its decoder row (unit norm) × α added at the SAE's hook, through the inference
 * service. For causal models during decoding; for masked-diffusion models during the denoising steps, all of them or
 * a range [from, to): the coefficient follows a per-step schedule that is α inside the range and 0 outside. The row
 * is stored as a vector once ({@code <sae name>_f<latent>}), so the request names it by id.
 */
final class FeatureSteering {

    private FeatureSteering() {}

    static StoredVector vector(
            StoredSae sae, int latent, VectorStore vectors, DataRoot artifacts, JsonMapper json, String by) {
        String name = sae.name() + "_f" + latent;
        return vectors.byName(sae.model(), sae.hook(), name).orElseGet(() -> {
            float[] row;
            try (NDManager manager = NDManager.newBaseManager();
                    SparseAutoencoder loaded = SparseAutoencoder.load(artifacts.existing(sae.folder()), manager);
                    NDArray d = loaded.decoderDirection(latent)) {
                row = d.toFloatArray();
            }
            ObjectNode provenance = json.createObjectNode();
            provenance.put("method", "sae_decoder_row");
            provenance.put("sae", sae.id().toString());
            provenance.put("latent", latent);
            return vectors.save(name, sae.model(), sae.hook(), "sae_feature", row, provenance, by);
        });
    }

    /**
     * The steered and the unsteered answer to one prompt, with the same seed.
     *
     * @param range null for every step; else [from, to) in decoding steps (generated tokens for causal models,
     *     denoising steps for diffusion models)
     */
    static Map<String, Object> steer(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            StoredSae sae,
            StoredVector v,
            double alpha,
            int[] range,
            JsonNode request) {
        Map<String, Object> add = new LinkedHashMap<>();
        add.put("op", "add");
        add.put("hook", sae.hook());
        add.put("vector_id", v.id().toString());
        if (range == null) {
            add.put("scale", alpha);
        } else {
            List<Double> schedule = new ArrayList<>();
            for (int s = 0; s < range[1]; s++) {
                schedule.add(s < range[0] ? 0.0 : alpha);
            }
            schedule.add(0.0); // the last coefficient holds after the list: off once the range is over
            add.put("schedule", schedule);
        }
        Map<String, Object> plain = new LinkedHashMap<>();
        request.properties().forEach(e -> plain.put(e.getKey(), e.getValue()));
        plain.put("model", model.id());
        Map<String, Object> steered = new LinkedHashMap<>(plain);
        steered.put("interventions", List.of(add));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vector_id", v.id().toString());
        out.put("alpha", alpha);
        out.put("step_range", range == null ? null : List.of(range[0], range[1]));
        if (model.diffusion()) {
            out.put("plain", inference.diffusion(plain).path("text").asString());
            out.put("steered", inference.diffusion(steered).path("text").asString());
        } else {
            out.put("plain", text(inference.completion(plain)));
            out.put("steered", text(inference.completion(steered)));
        }
        return out;
    }

    private static String text(JsonNode completion) {
        return completion.path("choices").path(0).path("text").asString("");
    }
}

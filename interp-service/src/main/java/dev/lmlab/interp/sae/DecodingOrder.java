package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.interp.peers.InferencePeer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A decoding-order signal from an SAE for masked-diffusion models, against confidence ordering. Both orders run in
 * the same loop, driven from here through the inference service: each step asks the model for its predictions at
 * the masked positions ({@code /v1/score}); confidence ordering unmasks the positions whose prediction is most
 * probable, SAE ordering the ones whose activation at the SAE's hook scores highest under the SAE
 * ({@code activation_norm}: Σ of the latents; {@code reconstruction_error}: lowest error first, the positions the SAE
 * finds most in-distribution; {@code feature}: one latent's activation). Tokens are always the model's argmax, so the
 * two differ only in the order. Reports accuracy against the given answers and forward passes (SAE ordering needs a
 * second pass per step for the activations). Exploratory: a way to test whether SAE features know which positions
 * are ready, not a tuned decoder.
 */
final class DecodingOrder {

    static final List<String> SCORES = List.of("activation_norm", "reconstruction_error", "feature");

    record Settings(int genLength, int steps, String score, Integer latent) {}

    private DecodingOrder() {}

    static Map<String, Object> compare(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            StoredSae stored,
            SparseAutoencoder sae,
            List<JsonNode> prompts,
            Settings s,
            NDManager manager) {
        List<Map<String, Object>> rows = new ArrayList<>();
        int[] correct = new int[2];
        int answered = 0;
        long[] passes = new long[2];
        for (JsonNode p : prompts) {
            long[] prompt = inference
                    .tokenIds(model.id(), List.of(p.get("prompt").asString()))
                    .get(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p.get("prompt").asString());
            String answer = p.path("answer").isString() ? p.get("answer").asString() : null;
            for (int o = 0; o < 2; o++) {
                boolean bySae = o == 1;
                Decoded d = decode(inference, model, stored, sae, prompt, s, bySae, manager);
                passes[o] += d.forwardPasses();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("text", d.text());
                r.put("ids", d.ids());
                r.put("order", d.order());
                r.put("forward_passes", d.forwardPasses());
                if (answer != null) {
                    boolean ok = normalize(d.text()).startsWith(normalize(answer));
                    r.put("correct", ok);
                    correct[o] += ok ? 1 : 0;
                }
                row.put(bySae ? "sae" : "confidence", r);
            }
            answered += answer == null ? 0 : 1;
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sae", stored.id().toString());
        out.put("score", s.score());
        out.put("latent", s.latent());
        out.put("gen_length", s.genLength());
        out.put("steps", s.steps());
        out.put("prompts", prompts.size());
        out.put("confidence", summary(answered, correct[0], passes[0]));
        out.put("sae_order", summary(answered, correct[1], passes[1]));
        out.put("rows", rows);
        return out;
    }

    private record Decoded(String text, long[] ids, List<Integer> order, int forwardPasses) {}

    private static Decoded decode(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            StoredSae stored,
            SparseAutoencoder sae,
            long[] prompt,
            Settings s,
            boolean bySae,
            NDManager manager) {
        int p = prompt.length;
        long[] x = new long[p + s.genLength()];
        System.arraycopy(prompt, 0, x, 0, p);
        java.util.Arrays.fill(x, p, x.length, model.maskTokenId());
        int[] order = new int[s.genLength()];
        int passes = 0;
        int done = 0;
        for (int step = 0; step < s.steps() && done < s.genLength(); step++) {
            int remaining = s.genLength() - done;
            int stepsLeft = s.steps() - step;
            int n = (remaining + stepsLeft - 1) / stepsLeft; // the remainder goes to the first steps
            JsonNode scored = inference.score(Map.of("model", model.id(), "input_ids", x));
            passes++;
            JsonNode predicted = scored.get("predicted_ids");
            JsonNode logprobs = scored.get("token_logprobs");
            double[] score = new double[x.length];
            java.util.Arrays.fill(score, Double.NEGATIVE_INFINITY);
            if (bySae) {
                double[] bySaeScore = saeScores(inference, model, stored, sae, x, p, s, manager);
                passes++;
                for (int j = p; j < x.length; j++) {
                    if (x[j] == model.maskTokenId()) {
                        score[j] = bySaeScore[j];
                    }
                }
            } else {
                for (int j = p; j < x.length; j++) {
                    if (x[j] == model.maskTokenId()) {
                        score[j] = logprobs.get(j).asDouble();
                    }
                }
            }
            for (int k = 0; k < n; k++) {
                int best = -1;
                for (int j = p; j < x.length; j++) {
                    if (score[j] > Double.NEGATIVE_INFINITY && (best < 0 || score[j] > score[best])) {
                        best = j;
                    }
                }
                x[best] = predicted.get(best).asLong();
                score[best] = Double.NEGATIVE_INFINITY;
                order[best - p] = step;
                done++;
            }
        }
        long[] response = java.util.Arrays.copyOfRange(x, p, x.length);
        List<Integer> steps = new ArrayList<>();
        for (int o : order) {
            steps.add(o);
        }
        return new Decoded(inference.text(model.id(), response), response, steps, passes);
    }

    /** Per position, the SAE's score of the activation there (higher: unmask sooner). */
    private static double[] saeScores(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            StoredSae stored,
            SparseAutoencoder sae,
            long[] x,
            int promptLength,
            Settings s,
            NDManager manager) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model.id());
        request.put("inputs", List.of(Map.of("input_ids", x, "prompt_length", promptLength)));
        request.put("hooks", List.of(stored.hook()));
        request.put("positions", "all");
        JsonNode acts = inference
                .activationsJson(request)
                .get("items")
                .get(0)
                .get("activations")
                .get(stored.hook());
        int t = acts.size();
        int d = sae.dIn();
        float[] flat = new float[t * d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) acts.get(i).get(j).asDouble();
            }
        }
        double[] out = new double[t];
        try (NDManager scope = manager.newSubManager()) {
            NDArray in = scope.create(flat, new Shape(t, d));
            NDArray z = sae.encode(in);
            switch (s.score()) {
                case "activation_norm" -> {
                    float[] sum = z.sum(new int[] {1}).toFloatArray();
                    for (int i = 0; i < t; i++) {
                        out[i] = sum[i];
                    }
                }
                case "reconstruction_error" -> {
                    float[] err =
                            in.sub(sae.decode(z)).square().sum(new int[] {1}).toFloatArray();
                    for (int i = 0; i < t; i++) {
                        out[i] = -err[i];
                    }
                }
                default -> {
                    float[] all = z.toFloatArray();
                    for (int i = 0; i < t; i++) {
                        out[i] = all[i * sae.dSae() + s.latent()];
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Object> summary(int answered, int correct, long passes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", answered == 0 ? null : (double) correct / answered);
        m.put("forward_passes", passes);
        return m;
    }

    private static String normalize(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}

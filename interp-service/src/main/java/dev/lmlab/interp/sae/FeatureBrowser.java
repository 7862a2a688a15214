package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.platform.files.DataRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a feature dashboard draws for some SAE latents, from a token-level activation set: the top-activating
 * contexts (a window of tokens around each with this latent's activation on every token), a histogram of its
 * non-zero activations, its density (the share of tokens it fires on), and the tokens its decoder direction promotes
 * and suppresses through the model's unembedding. Shards are read one at a time.
 */
final class FeatureBrowser {

    record Options(List<Integer> latents, int topContexts, int window, int bins) {}

    /** One top context while scanning: where it is and the window around it. */
    private record Context(double activation, int shard, int input, int position, List<String> tokens, float[] acts) {}

    private FeatureBrowser() {}

    static Map<String, Object> browse(
            SparseAutoencoder sae,
            StoredSae stored,
            ActivationSet set,
            DataRoot artifacts,
            InferencePeer inference,
            Options o,
            NDManager manager) {
        int n = o.latents().size();
        long[] fired = new long[n];
        long tokens = 0;
        List<List<Float>> values = new ArrayList<>();
        List<PriorityQueue<Context>> top = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            values.add(new ArrayList<>());
            top.add(new PriorityQueue<>(Comparator.comparingDouble(Context::activation)));
        }
        String hook = stored.hook();
        for (int s = 0; ; s++) {
            Path file = artifacts.folder().resolve(set.folder()).resolve(String.format("shard-%05d.safetensors", s));
            if (!Files.exists(file)) {
                break;
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                JsonNode meta = JsonMapper.shared().readTree(f.metadata().getOrDefault("lmlab", "{}"));
                for (int i = 0; f.find(hook + "/" + i).isPresent(); i++) {
                    float[] flat = f.readFloats(hook + "/" + i);
                    int t = flat.length / sae.dIn();
                    float[][] z = latents(sae, flat, t, o.latents(), manager);
                    List<String> words = words(meta.path("tokens").path(i), t);
                    int first = t > 1 ? 1 : 0; // as in training: an input's first token is an outlier
                    tokens += t - first;
                    for (int l = 0; l < n; l++) {
                        for (int p = first; p < t; p++) {
                            float a = z[l][p];
                            if (a > 0) {
                                fired[l]++;
                                values.get(l).add(a);
                                offer(top.get(l), o, new Context(a, s, i, p, null, null), z[l], words);
                            }
                        }
                    }
                }
            }
        }
        List<float[]> directions = new ArrayList<>();
        for (int latent : o.latents()) {
            try (NDArray d = sae.decoderDirection(latent)) {
                directions.add(d.toFloatArray());
            }
        }
        JsonNode lens = inference
                .unembed(Map.of("model", stored.model(), "vectors", directions, "top", 10))
                .get("results");
        List<Map<String, Object>> out = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("latent", o.latents().get(l));
            f.put("fired_tokens", fired[l]);
            f.put("density", tokens == 0 ? null : (double) fired[l] / tokens);
            f.put("histogram", histogram(values.get(l), o.bins()));
            List<Context> contexts = new ArrayList<>(top.get(l));
            contexts.sort(Comparator.comparingDouble(Context::activation).reversed());
            List<Map<String, Object>> shown = new ArrayList<>();
            for (Context c : contexts) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("activation", c.activation());
                m.put("shard", c.shard());
                m.put("input", c.input());
                m.put("position", c.position());
                m.put("tokens", c.tokens());
                m.put("activations", c.acts());
                m.put("focus", Math.min(c.position(), o.window()));
                shown.add(m);
            }
            f.put("top_contexts", shown);
            f.put("promoted", lens.get(l).get("promoted"));
            f.put("suppressed", lens.get(l).get("suppressed"));
            out.add(f);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sae", stored.id().toString());
        answer.put("set", set.id().toString());
        answer.put("tokens_scanned", tokens);
        answer.put("features", out);
        return answer;
    }

    /** The {@code count} latents that fire on most tokens of the set (what a browser shows when asked for none). */
    static List<Integer> densest(
            SparseAutoencoder sae, ActivationSet set, String hook, DataRoot artifacts, int count, NDManager manager) {
        long[] fired = new long[sae.dSae()];
        for (int s = 0; ; s++) {
            Path file = artifacts.folder().resolve(set.folder()).resolve(String.format("shard-%05d.safetensors", s));
            if (!Files.exists(file)) {
                break;
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (int i = 0; f.find(hook + "/" + i).isPresent(); i++) {
                    float[] flat = f.readFloats(hook + "/" + i);
                    int t = flat.length / sae.dIn();
                    try (NDManager m = manager.newSubManager()) {
                        boolean[] on = sae.encode(m.create(flat, new Shape(t, sae.dIn())))
                                .gt(0)
                                .toBooleanArray();
                        for (int p = t > 1 ? 1 : 0; p < t; p++) {
                            for (int l = 0; l < fired.length; l++) {
                                fired[l] += on[p * fired.length + l] ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int l = 0; l < fired.length; l++) {
            order.add(l);
        }
        order.sort((a, b) -> Long.compare(fired[b], fired[a]));
        return List.copyOf(order.subList(0, Math.min(count, order.size())));
    }

    /** Keeps the strongest {@code topContexts} contexts, cutting the window only for the ones kept. */
    private static void offer(PriorityQueue<Context> heap, Options o, Context c, float[] acts, List<String> words) {
        if (heap.size() >= o.topContexts() && heap.peek().activation() >= c.activation()) {
            return;
        }
        int from = Math.max(0, c.position() - o.window());
        int to = Math.min(acts.length, c.position() + o.window() + 1);
        heap.add(new Context(
                c.activation(),
                c.shard(),
                c.input(),
                c.position(),
                List.copyOf(words.subList(from, to)),
                java.util.Arrays.copyOfRange(acts, from, to)));
        if (heap.size() > o.topContexts()) {
            heap.poll();
        }
    }

    /** The chosen latents' activations on every token of one input: [latent][position]. */
    private static float[][] latents(
            SparseAutoencoder sae, float[] flat, int t, List<Integer> which, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            float[] z = sae.encode(m.create(flat, new Shape(t, sae.dIn()))).toFloatArray();
            float[][] out = new float[which.size()][t];
            for (int l = 0; l < which.size(); l++) {
                for (int p = 0; p < t; p++) {
                    out[l][p] = z[p * sae.dSae() + which.get(l)];
                }
            }
            return out;
        }
    }

    private static List<String> words(JsonNode tokens, int t) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < t; p++) {
            out.add(tokens.path(p).asString("?"));
        }
        return out;
    }

    private static Map<String, Object> histogram(List<Float> values, int bins) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (values.isEmpty()) {
            h.put("bin_edges", List.of());
            h.put("counts", List.of());
            return h;
        }
        double max = values.stream().mapToDouble(Float::doubleValue).max().orElse(1);
        long[] counts = new long[bins];
        for (float v : values) {
            counts[Math.min(bins - 1, (int) (v / max * bins))]++;
        }
        List<Double> edges = new ArrayList<>();
        for (int b = 0; b <= bins; b++) {
            edges.add(max * b / bins);
        }
        h.put("bin_edges", edges);
        h.put("counts", counts);
        h.put("max_activation", max);
        return h;
    }
}

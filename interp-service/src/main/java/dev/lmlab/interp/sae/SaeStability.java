package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stability across post-training: one SAE applied to two models' activations on the same inputs (a base model and a
 * post-trained checkpoint), token for token. How well it still reconstructs the second, and how alike each latent's
 * activations are across the two (Pearson correlation over aligned tokens, for latents active on either side).
 */
final class SaeStability {

    static final int CHUNK = 512;

    private SaeStability() {}

    static Map<String, Object> compare(SparseAutoencoder sae, float[][] a, float[][] b, NDManager manager) {
        int n = a.length;
        int d = sae.dSae();
        double[] sa = new double[d];
        double[] sb = new double[d];
        double[] saa = new double[d];
        double[] sbb = new double[d];
        double[] sab = new double[d];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            float[] za = encode(sae, a, from, m, manager);
            float[] zb = encode(sae, b, from, m, manager);
            for (int i = 0; i < m; i++) {
                for (int l = 0; l < d; l++) {
                    double x = za[i * d + l];
                    double y = zb[i * d + l];
                    sa[l] += x;
                    sb[l] += y;
                    saa[l] += x * x;
                    sbb[l] += y * y;
                    sab[l] += x * y;
                }
            }
        }
        double[] correlations = new double[d];
        int counted = 0;
        for (int l = 0; l < d; l++) {
            double va = saa[l] - sa[l] * sa[l] / n;
            double vb = sbb[l] - sb[l] * sb[l] / n;
            if (va <= 0 || vb <= 0) {
                continue; // silent on one side: no correlation to speak of (counted apart)
            }
            correlations[counted++] = (sab[l] - sa[l] * sb[l] / n) / Math.sqrt(va * vb);
        }
        double[] c = Arrays.copyOf(correlations, counted);
        Arrays.sort(c);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", n);
        out.put("base", SaeMetrics.of(sae, a, manager));
        out.put("compared", SaeMetrics.of(sae, b, manager));
        out.put("latents_compared", counted);
        out.put("latents_silent_on_a_side", d - counted);
        out.put(
                "mean_correlation",
                counted == 0 ? null : Arrays.stream(c).average().orElse(0));
        out.put("median_correlation", counted == 0 ? null : c[counted / 2]);
        out.put(
                "fraction_above_0_7",
                counted == 0
                        ? null
                        : (double) Arrays.stream(c).filter(x -> x > 0.7).count() / counted);
        return out;
    }

    private static float[] encode(SparseAutoencoder sae, float[][] rows, int from, int m, NDManager parent) {
        float[] flat = new float[m * sae.dIn()];
        for (int i = 0; i < m; i++) {
            System.arraycopy(rows[from + i], 0, flat, i * sae.dIn(), sae.dIn());
        }
        try (NDManager scope = parent.newSubManager()) {
            return sae.encode(scope.create(flat, new Shape(m, sae.dIn()))).toFloatArray();
        }
    }
}

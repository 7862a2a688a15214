package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How well an SAE reconstructs a set of activation rows, in the field's usual terms:
 *
 * <ul>
 *   <li>FVU = Σ‖x − x̂‖² / Σ‖x − x̄‖² (x̄ the mean row): the fraction of variance left unexplained;
 *   <li>explained variance with per-dimension centring: 1 − Σ_j Var_j(x − x̂) / Σ_j Var_j(x) — a constant offset in
 *       the reconstruction costs nothing here, unlike variance about zero, which flatters SAEs on activations with a
 *       large mean;
 *   <li>L0: mean active latents per row; dead fraction: latents that fired on no row; dense fraction: latents that
 *       fired on more than 10% of rows.
 * </ul>
 */
public final class SaeMetrics {

    static final int CHUNK = 512;
    static final double DENSE = 0.1;

    private SaeMetrics() {}

    public static Map<String, Object> of(SparseAutoencoder sae, float[][] rows, NDManager parent) {
        int d = sae.dIn();
        double[] sumX = new double[d];
        double[] sumX2 = new double[d];
        double[] sumR = new double[d];
        double[] sumR2 = new double[d];
        double sse = 0;
        double active = 0;
        long[] fired = new long[sae.dSae()];
        for (int from = 0; from < rows.length; from += CHUNK) {
            int n = Math.min(CHUNK, rows.length - from);
            float[] flat = new float[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows[from + i], 0, flat, i * d, d);
            }
            try (NDManager m = parent.newSubManager()) {
                NDArray x = m.create(flat, new Shape(n, d));
                NDArray z = sae.encode(x);
                float[] recon = sae.decode(z).toFloatArray();
                boolean[] on = z.gt(0).toBooleanArray();
                int dSae = sae.dSae();
                for (int i = 0; i < n; i++) {
                    for (int l = 0; l < dSae; l++) {
                        if (on[i * dSae + l]) {
                            fired[l]++;
                            active++;
                        }
                    }
                    for (int j = 0; j < d; j++) {
                        double xv = flat[i * d + j];
                        double r = xv - recon[i * d + j];
                        sumX[j] += xv;
                        sumX2[j] += xv * xv;
                        sumR[j] += r;
                        sumR2[j] += r * r;
                        sse += r * r;
                    }
                }
            }
        }
        int total = rows.length;
        double varX = 0;
        double varR = 0;
        for (int j = 0; j < d; j++) {
            varX += sumX2[j] - sumX[j] * sumX[j] / total;
            varR += sumR2[j] - sumR[j] * sumR[j] / total;
        }
        long dead = 0;
        long dense = 0;
        for (long f : fired) {
            dead += f == 0 ? 1 : 0;
            dense += f > DENSE * total ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", total);
        m.put("fvu", varX == 0 ? null : sse / varX);
        m.put("explained_variance", varX == 0 ? null : 1 - varR / varX);
        m.put("mse", sse / ((double) total * d));
        m.put("l0", active / total);
        m.put("dead_fraction", (double) dead / fired.length);
        m.put("dense_fraction", (double) dense / fired.length);
        return m;
    }
}

package dev.lmlab.core.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.lmlab.core.model.Scalars;
import dev.lmlab.core.train.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The trainer's sparse step (gathered rows, AuxK over the dead latents only) gives the gradients of the plain dense
 * formulation, differentiated by autograd; and the decoder constraint removes each row's parallel component.
 */
class TopKSaeGradientTest {

    static final int D = 6;
    static final int S = 24;
    static final int K = 2;
    static final int B = 8;

    static float[][] rows(int n, int d, long seed) {
        Random r = new Random(seed);
        float[][] out = new float[n][d];
        for (float[] row : out) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (r.nextGaussian() + 0.3 * j);
            }
        }
        return out;
    }

    @Test
    void sparseGradientsEqualDenseAutogradOnes() {
        // k_aux 3 is below the number of dead latents (a top-k among them); 64 keeps all of them
        for (int kAux : new int[] {3, 64}) {
            // dead after one batch: the latents this batch does not use are dead when AuxK runs
            TopKSaeConfig config = new TopKSaeConfig(D, S, K, kAux, 0.25, B, 1e-3, TopKSaeConfig.MEAN, 5);
            float[][] batch = rows(B, D, 11);
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, rows(32, D, 3))) {
                // move off the tied init so encoder and decoder differ
                trainer.step(rows(B, D, 12));
                Map<String, float[]> weights = new LinkedHashMap<>();
                for (String name : new String[] {"W_enc", "W_dec", "b_enc", "b_dec"}) {
                    weights.put(name, trainer.weight(name));
                }
                long[] before = trainer.tokensSinceFired();

                Map<String, float[]> sparse = trainer.gradients(batch, false);

                long dead = java.util.Arrays.stream(trainer.tokensSinceFired())
                        .filter(t -> t >= B)
                        .count();
                assertThat(dead).as("dead latents in this batch").isGreaterThan(3);
                Map<String, float[]> dense = denseGradients(m, config, weights, batch, before);
                for (String name : dense.keySet()) {
                    float[] expected = dense.get(name);
                    float[] actual = sparse.get(name);
                    float scale = 0;
                    for (float v : expected) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertThat(scale)
                            .as("%s gradient is not trivially zero", name)
                            .isGreaterThan(1e-3f);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(actual[i])
                                .as("k_aux %d, d%s[%d]", kAux, name, i)
                                .isCloseTo(expected[i], within(1e-5f * scale + 1e-7f));
                    }
                }
            }
        }
    }

    /** z = ReLU(pre) masked to each token's top k, x̂ = z W_dec + b_dec; AuxK over a dead mask, all dense. */
    private static Map<String, float[]> denseGradients(
            NDManager parent, TopKSaeConfig c, Map<String, float[]> w, float[][] batch, long[] sinceBefore) {
        try (NDManager m = parent.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray wEnc = m.create(w.get("W_enc"), new Shape(D, S));
            NDArray wDec = m.create(w.get("W_dec"), new Shape(S, D));
            NDArray bEnc = m.create(w.get("b_enc"), new Shape(S));
            NDArray bDec = m.create(w.get("b_dec"), new Shape(D));
            for (NDArray p : new NDArray[] {wEnc, wDec, bEnc, bDec}) {
                p.setRequiresGradient(true);
            }
            NDArray x = m.create(SaeFolders.flat(batch), new Shape(B, D));

            NDArray pre = x.sub(bDec).matMul(wEnc).add(bEnc); // (B, S)
            NDArray top;
            try (NoGrad ignored = NoGrad.scope()) {
                top = pre.gte(pre.topK(K, 1, true, false).get(0).min(new int[] {1}, true))
                        .toType(DataType.FLOAT32, false);
            }
            NDArray z = Activation.relu(pre).mul(top); // (B, S)
            NDArray xHat = z.matMul(wDec).add(bDec); // (B, D)
            NDArray fvu = xHat.sub(x).square().sum().div(centredSquares(x));

            // dead: not active in this batch and silent long enough before it
            float[] zValues = z.toFloatArray();
            float[] deadMask = new float[S];
            int dead = 0;
            for (int s = 0; s < S; s++) {
                boolean fired = false;
                for (int i = 0; i < B; i++) {
                    fired |= zValues[i * S + s] > 0;
                }
                if (!fired && sinceBefore[s] + B >= c.deadAfterTokens()) {
                    deadMask[s] = 1;
                    dead++;
                }
            }
            NDArray deadRow = m.create(deadMask, new Shape(1, S));
            int kAux = Math.min(c.kAux(), dead);
            NDArray keep;
            NDArray e;
            try (NoGrad ignored = NoGrad.scope()) {
                // live latents pushed far below every dead one
                NDArray auxPre = pre.add(deadRow.sub(Scalars.of(deadRow, 1)).mul(Scalars.of(deadRow, 1e6)));
                keep = auxPre.gte(auxPre.topK(kAux, 1, true, false).get(0).min(new int[] {1}, true))
                        .toType(DataType.FLOAT32, false)
                        .mul(deadRow);
                e = x.sub(xHat);
            }
            NDArray eHat = Activation.relu(pre).mul(keep).matMul(wDec); // (B, D), no b_dec
            NDArray aux = eHat.sub(e).square().sum().div(centredSquares(e));
            collector.backward(fvu.add(aux.mul(Scalars.of(aux, c.auxAlpha()))));

            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("W_enc", wEnc.getGradient().toFloatArray());
            out.put("W_dec", wDec.getGradient().toFloatArray());
            out.put("b_enc", bEnc.getGradient().toFloatArray());
            out.put("b_dec", bDec.getGradient().toFloatArray());
            return out;
        }
    }

    private static NDArray centredSquares(NDArray x) {
        try (NoGrad ignored = NoGrad.scope()) {
            return x.sub(x.mean(new int[] {0}, true)).square().sum();
        }
    }

    @Test
    void theDecoderGradientLosesItsComponentAlongEachRowAndRowsStayUnit() {
        TopKSaeConfig config = new TopKSaeConfig(D, S, K, 4, 1.0 / 32, 1_000_000, 1e-2, TopKSaeConfig.MEAN, 2);
        float[][] batch = rows(B, D, 21);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, rows(32, D, 3))) {
            float[] w = trainer.weight("W_dec");
            float[] raw = trainer.gradients(batch, false).get("W_dec");
            float[] projected = trainer.gradients(batch, true).get("W_dec");

            double largestRawParallel = 0;
            for (int s = 0; s < S; s++) {
                double rawDot = 0;
                double projectedDot = 0;
                double norm = 0;
                for (int j = 0; j < D; j++) {
                    rawDot += raw[s * D + j] * w[s * D + j];
                    projectedDot += projected[s * D + j] * w[s * D + j];
                    norm += raw[s * D + j] * raw[s * D + j];
                }
                largestRawParallel = Math.max(largestRawParallel, Math.abs(rawDot) / (Math.sqrt(norm) + 1e-12));
                assertThat(Math.abs(projectedDot))
                        .as("row %d: g·w after the constraint", s)
                        .isLessThanOrEqualTo(1e-6 * Math.sqrt(norm) + 1e-9);
                // the orthogonal part is untouched: g_proj = g − (g·w) w
                for (int j = 0; j < D; j++) {
                    assertThat(projected[s * D + j])
                            .isCloseTo((float) (raw[s * D + j] - rawDot * w[s * D + j]), within(1e-6f));
                }
            }
            assertThat(largestRawParallel)
                    .as("the raw gradient has a parallel part to remove")
                    .isGreaterThan(1e-2);

            for (int i = 0; i < 5; i++) {
                trainer.step(rows(B, D, 30 + i));
            }
            float[] after = trainer.weight("W_dec");
            for (int s = 0; s < S; s++) {
                double norm = 0;
                for (int j = 0; j < D; j++) {
                    norm += after[s * D + j] * after[s * D + j];
                }
                assertThat(Math.sqrt(norm)).as("|W_dec[%d]|", s).isCloseTo(1.0, within(1e-6));
            }
            assertThat(after).isNotEqualTo(w);
        }
    }
}

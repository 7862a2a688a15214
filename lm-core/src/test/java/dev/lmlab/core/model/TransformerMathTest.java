package dev.lmlab.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The building blocks on cases small enough to work out on paper: RMSNorm, a rotary rotation, attention under a
 * causal, a bidirectional and a padding mask, and the SwiGLU MLP. The model here has one layer, one head and a
 * width of 4, with weights chosen so that each block's output has a closed form.
 */
class TransformerMathTest {

    // rope_theta so large that the second rotary pair (dims 1 and 3) turns by < 1e-5 rad over these positions:
    // scores built from dim 1 alone are then plain dot products
    static final double THETA = 1e12;
    static final double EPS = 1e-6;
    static final float[][] EMBED = {{1, 2, 0, -1}, {0.5f, -1, 2, 1}, {-2, 0.5f, 1, 1}, {1, 1, 1, 1}};
    static final float Q_GAIN = 3; // q_1 = 3 h_0, k_1 = h_1: score(t, s) = 3 h_0(t) h_1(s) / sqrt(4)

    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void rmsNormDividesByTheRootMeanSquareAndScales() {
        Transformer t = handModel(true);
        NDArray x = manager.create(new float[] {3, 4});
        NDArray w = manager.create(new float[] {1, 2});

        float[] out = t.rmsNorm(x, w).toFloatArray();

        // mean(x²) = (9 + 16) / 2 = 12.5; 3 / √12.5 = 0.848528, 2 · 4 / √12.5 = 2.262742
        assertThat(out[0]).isCloseTo(0.848528f, offset(1e-5f));
        assertThat(out[1]).isCloseTo(2.262742f, offset(1e-5f));
    }

    @Test
    void rotaryTurnsEachHalfPairByPositionTimesFrequency() {
        ModelConfig c = config(true, 10000);
        RotaryTable rotary = new RotaryTable(c, manager);
        NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
        NDArray positions = manager.create(new long[] {1}, new Shape(1, 1));

        float[] out = rotary.apply(x, positions, 1).toFloatArray();

        // K = 4: frequencies 10000^0 = 1 for pair (0, 2) and 10000^(-1/2) = 0.01 for pair (1, 3); at position 1
        // x' = x·cos + rotate_half(x)·sin with rotate_half([a, b, c, d]) = [-c, -d, a, b]
        assertThat(out[0]).isCloseTo(-1.984111f, offset(1e-5f)); // cos 1 − 3 sin 1
        assertThat(out[1]).isCloseTo(1.959901f, offset(1e-5f)); // 2 cos .01 − 4 sin .01
        assertThat(out[2]).isCloseTo(2.462378f, offset(1e-5f)); // 3 cos 1 + sin 1
        assertThat(out[3]).isCloseTo(4.019800f, offset(1e-5f)); // 4 cos .01 + 2 sin .01
    }

    @Test
    void causalAttentionWeighsOnlyEarlierPositions() {
        Transformer t = handModel(true);
        long[] ids = {0, 1, 2, 3};
        Map<String, float[]> seen = capture(t, ids, null);

        for (int q = 0; q < ids.length; q++) {
            assertAttentionOver(seen, ids, q, 0, q);
        }
    }

    @Test
    void bidirectionalAttentionWeighsEveryPosition() {
        Transformer t = handModel(false);
        long[] ids = {0, 1, 2, 3};
        Map<String, float[]> seen = capture(t, ids, null);

        for (int q = 0; q < ids.length; q++) {
            assertAttentionOver(seen, ids, q, 0, ids.length - 1);
        }
    }

    @Test
    void paddedKeysGetNoWeight() {
        Transformer t = handModel(false);
        long[] ids = {3, 3, 1, 2}; // the first two are padding
        Map<String, float[]> seen = capture(t, ids, new long[] {0, 0, 1, 1});

        for (int q = 2; q < ids.length; q++) {
            assertAttentionOver(seen, ids, q, 2, ids.length - 1);
        }
    }

    @Test
    void swigluIsDownOfSiluGateTimesUp() {
        Transformer t = handModel(true);
        long[] ids = {0, 1, 2};
        Map<String, float[]> seen = capture(t, ids, null);

        float[] mid = seen.get(HookPoints.block(0, HookPoints.RESID_MID));
        float[] mlp = seen.get(HookPoints.block(0, HookPoints.MLP_OUT));
        for (int p = 0; p < ids.length; p++) {
            double[] h = rmsNorm(mid, p * 4);
            // gate reads dim 0, up reads dim 2, down writes 1× to dim 0 and 2× to dim 3
            double s = h[0] / (1 + Math.exp(-h[0])) * h[2];
            assertThat(mlp[p * 4]).isCloseTo((float) s, offset(1e-5f));
            assertThat(mlp[p * 4 + 1]).isCloseTo(0f, offset(1e-6f));
            assertThat(mlp[p * 4 + 2]).isCloseTo(0f, offset(1e-6f));
            assertThat(mlp[p * 4 + 3]).isCloseTo((float) (2 * s), offset(1e-5f));
        }
    }

    /** Query {@code q}'s attention output is the softmax-weighted mean over exactly keys first..last. */
    static void assertAttentionOver(Map<String, float[]> seen, long[] ids, int q, int first, int last) {
        float[] attn = seen.get(HookPoints.block(0, HookPoints.ATTN_OUT));
        double[] expected = attention(ids, q, first, last);
        for (int i = 0; i < 4; i++) {
            assertThat(attn[q * 4 + i]).as("query %d dim %d", q, i).isCloseTo((float) expected[i], offset(1e-5f));
        }
    }

    /** Σ_s softmax_s(score(q, s)) · h(s) over keys first..last, with v and o the identity. */
    static double[] attention(long[] ids, int q, int first, int last) {
        double[] hq = rmsNorm(EMBED[(int) ids[q]]);
        double[] weights = new double[last + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = first; s <= last; s++) {
            double[] hs = rmsNorm(EMBED[(int) ids[s]]);
            weights[s] = Q_GAIN * hq[0] * hs[1] / Math.sqrt(4);
            max = Math.max(max, weights[s]);
        }
        double sum = 0;
        for (int s = first; s <= last; s++) {
            weights[s] = Math.exp(weights[s] - max);
            sum += weights[s];
        }
        double[] out = new double[4];
        for (int s = first; s <= last; s++) {
            double[] hs = rmsNorm(EMBED[(int) ids[s]]);
            for (int i = 0; i < 4; i++) {
                out[i] += weights[s] / sum * hs[i];
            }
        }
        return out;
    }

    static double[] rmsNorm(float[] x) {
        return rmsNorm(x, 0);
    }

    static double[] rmsNorm(float[] x, int at) {
        double meanSquare = 0;
        for (int i = 0; i < 4; i++) {
            meanSquare += (double) x[at + i] * x[at + i] / 4;
        }
        double[] out = new double[4];
        for (int i = 0; i < 4; i++) {
            out[i] = x[at + i] / Math.sqrt(meanSquare + EPS);
        }
        return out;
    }

    private Map<String, float[]> capture(Transformer t, long[] ids, long[] mask) {
        Map<String, float[]> seen = new HashMap<>();
        Hooks recorder = new Hooks() {
            @Override
            public boolean active(String hookPoint) {
                return true;
            }

            @Override
            public NDArray at(String hookPoint, NDArray activation, HookSite site) {
                seen.put(hookPoint, activation.toFloatArray());
                return activation;
            }
        };
        NDArray x = manager.create(ids, new Shape(1, ids.length));
        NDArray m = mask == null ? null : manager.create(mask, new Shape(1, mask.length));
        t.forward(x, m, null, null, recorder, HookSite.PROMPT).close();
        return seen;
    }

    /** One layer, one head of width 4, F = 1; every weight set by hand (see the class comment). */
    private Transformer handModel(boolean causal) {
        ModelConfig c = config(causal, THETA);
        ModelWeights w = ModelWeights.random(c, manager, 1, 0.1);
        ModelWeights.Layer layer = w.layers().get(0);
        w.embed().set(flat(EMBED));
        float[] q = new float[16];
        q[4] = Q_GAIN; // row 1 reads h_0
        layer.q().set(q);
        float[] k = new float[16];
        k[5] = 1; // row 1 reads h_1
        layer.k().set(k);
        layer.v().set(identity());
        layer.o().set(identity());
        layer.gate().set(new float[] {1, 0, 0, 0});
        layer.up().set(new float[] {0, 0, 1, 0});
        layer.down().set(new float[] {1, 0, 0, 2});
        return new Transformer(c, w, manager);
    }

    static ModelConfig config(boolean causal, double theta) {
        return new ModelConfig(
                causal ? "LlamaForCausalLM" : "LLaDAModelLM",
                causal ? ModelConfig.Family.LLAMA : ModelConfig.Family.LLADA,
                4,
                4,
                4,
                1,
                1,
                1,
                4,
                1,
                EPS,
                theta,
                null,
                true,
                false,
                false,
                causal,
                causal ? null : 3,
                16,
                null,
                List.of(),
                null);
    }

    static float[] identity() {
        float[] id = new float[16];
        for (int i = 0; i < 4; i++) {
            id[i * 4 + i] = 1;
        }
        return id;
    }

    static float[] flat(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
        }
        return out;
    }
}

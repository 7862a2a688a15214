package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;

/**
 * Rotary position embeddings in the rotate-half convention (Llama, Qwen, LLaDA): for head width K, frequency
 * {@code inv_freq[i] = theta^(-2i/K)}, angle {@code p · inv_freq}, and {@code x' = x·cos + rotate_half(x)·sin}
 * with the angles repeated over both halves. Llama-3 scaling slows the low frequencies as transformers does.
 * The cos/sin tables grow on demand, so a 128k-context config does not allocate 128k rows up front.
 */
public final class RotaryTable {

    private final double[] invFreq;
    private final int headDim;
    private final NDManager manager;
    private NDArray cos; // (P, K)
    private NDArray sin; // (P, K)
    private int rows;

    public RotaryTable(ModelConfig config, NDManager manager) {
        this.headDim = config.headDim();
        this.invFreq = inverseFrequencies(config);
        this.manager = manager;
    }

    public static double[] inverseFrequencies(ModelConfig config) {
        int k = config.headDim();
        double[] inv = new double[k / 2];
        for (int i = 0; i < inv.length; i++) {
            // as transformers: exponent from integer steps, computed in float32
            float exponent = (float) (2 * i) / k;
            inv[i] = 1.0f / (float) Math.pow(config.ropeTheta(), exponent);
        }
        ModelConfig.RopeScaling s = config.ropeScaling();
        if (s == null) {
            return inv;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] /= s.factor();
            }
            return inv;
        }
        // llama3: long wavelengths slowed by `factor`, short ones kept, a smooth blend in between
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            double scaled = wavelen > lowWavelen ? inv[i] / s.factor() : inv[i];
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            }
            inv[i] = (float) scaled;
        }
        return inv;
    }

    /** Makes sure positions below {@code positions} have table rows. */
    private synchronized void ensure(int positions) {
        if (positions <= rows) {
            return;
        }
        int n = Math.max(positions, Math.max(64, rows * 2));
        float[] c = new float[n * headDim];
        float[] s = new float[n * headDim];
        int half = headDim / 2;
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) invFreq[i];
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                c[p * headDim + i] = cv;
                c[p * headDim + half + i] = cv;
                s[p * headDim + i] = sv;
                s[p * headDim + half + i] = sv;
            }
        }
        if (cos != null) {
            cos.close();
            sin.close();
        }
        cos = manager.create(c, new Shape(n, headDim));
        sin = manager.create(s, new Shape(n, headDim));
        rows = n;
    }

    /**
     * Rotates queries or keys {@code x} of shape (B, H, T, K) at absolute {@code positions} (B, T); the result
     * belongs to x's manager.
     */
    public NDArray apply(NDArray x, NDArray positions, int maxPosition) {
        ensure(maxPosition + 1);
        NDManager scope = x.getManager();
        NDArray c;
        NDArray s;
        synchronized (this) {
            c = cos.get(positions); // (B, T, K)
            s = sin.get(positions); // (B, T, K)
        }
        c.attach(scope);
        s.attach(scope);
        c = c.expandDims(1).toType(x.getDataType(), false); // (B, 1, T, K)
        s = s.expandDims(1).toType(x.getDataType(), false); // (B, 1, T, K)
        int half = headDim / 2;
        NDArray first = x.get(new NDIndex("..., :{}", half)); // (B, H, T, K/2)
        NDArray second = x.get(new NDIndex("..., {}:", half)); // (B, H, T, K/2)
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1); // (B, H, T, K)
        return x.mul(c).add(rotated.mul(s)); // (B, H, T, K)
    }
}

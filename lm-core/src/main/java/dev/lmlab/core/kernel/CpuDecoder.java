package dev.lmlab.core.kernel;

import ai.djl.ndarray.NDArray;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.KvCache;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.model.RotaryTable;
import java.util.List;
import java.util.Optional;
import java.util.function.IntBinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Autoregressive decode steps on the CPU without a tensor library: the same math as {@code Transformer} (same
 * norms, rotary angles, grouped-query attention, SwiGLU), with the matrix-vector products on the Vector API and
 * split across cores. A decode step of a small batch reads every weight once, so its speed is the speed at which
 * weights stream from memory; this path gets close to the machine's read bandwidth where a generic library call
 * per projection does not. Prefill stays on PyTorch (it is compute-bound); its KV cache is imported.
 *
 * <p>It holds its own float copy of the weights (q/k/v and gate/up fused row-wise), taken when it is built: a
 * model whose weights change afterwards (training) needs a new decoder.
 *
 * <p>Shapes as in {@code Transformer}: B batch, D width, H/Hkv heads, K head width, F MLP width, V vocabulary.
 */
public final class CpuDecoder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CpuDecoder.class);

    private final ModelConfig c;
    private final float[] embed; // (rows, D); null when the head is tied and embeddings are read from it
    private final Layer[] layers;
    private final float[] finalNorm; // (D)
    private final VectorKernels.Panels head; // (V, D)
    private final double[] invFreq; // (K/2)
    private final WorkerTeam team;

    /** One block's weights, projections fused: qkv ((H + 2 Hkv) K, D) and gateUp (2F, D). */
    private record Layer(
            float[] inNorm,
            VectorKernels.Panels qkv,
            float[] qkvBias,
            VectorKernels.Panels o,
            float[] qNorm,
            float[] kNorm,
            float[] postNorm,
            VectorKernels.Panels gateUp,
            VectorKernels.Panels down) {}

    private CpuDecoder(ModelConfig c, ModelWeights w, int threads) {
        this.c = c;
        int d = c.hiddenSize();
        // the head's rows past the vocabulary (padding some checkpoints carry) are never sampled: pack the first V
        this.head = VectorKernels.pack(w.lmHead().toFloatArray(), c.vocabSize(), d);
        this.embed = c.tieWordEmbeddings() ? null : w.embed().toFloatArray();
        this.finalNorm = w.finalNorm().toFloatArray();
        this.invFreq = RotaryTable.inverseFrequencies(c);
        this.layers = new Layer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            ModelWeights.Layer x = w.layers().get(l);
            layers[l] = new Layer(
                    x.inputNorm().toFloatArray(),
                    panels(x.q(), x.k(), x.v()),
                    x.qBias() == null ? null : rows(x.qBias(), x.kBias(), x.vBias()),
                    panels(x.o()),
                    x.qNorm() == null ? null : x.qNorm().toFloatArray(),
                    x.kNorm() == null ? null : x.kNorm().toFloatArray(),
                    x.postNorm().toFloatArray(),
                    panels(x.gate(), x.up()),
                    panels(x.down()));
        }
        this.team = new WorkerTeam(threads, "lmlab-cpu-decode");
    }

    /**
     * A decoder for {@code weights}, or empty where this path does not apply (the caller then decodes with
     * PyTorch): a masked-diffusion model, a JVM without the Vector API module, {@code -Dlmlab.cpu-decode=false},
     * or weights whose float copy would take more than half of the heap.
     */
    public static Optional<CpuDecoder> create(ModelConfig config, ModelWeights weights) {
        if (config.maskedDiffusion() || !Boolean.parseBoolean(System.getProperty("lmlab.cpu-decode", "true"))) {
            return Optional.empty();
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            log.info("CPU decode kernels off: start the JVM with --add-modules jdk.incubator.vector for faster"
                    + " decoding");
            return Optional.empty();
        }
        if (!fitsArrays(config)) {
            log.info(
                    "CPU decode kernels off: a weight matrix of {} has more than 2^31 elements", config.architecture());
            return Optional.empty();
        }
        long bytes = 4L * weights.parameterCount();
        if (bytes > Runtime.getRuntime().maxMemory() / 2) {
            log.info(
                    "CPU decode kernels off: a float copy of the weights ({} MB) would take more than half of the"
                            + " heap; raise -Xmx to use them",
                    bytes >> 20);
            return Optional.empty();
        }
        long start = System.nanoTime();
        VectorKernels.warmUp();
        log.debug("CPU decode kernels warm in {} ms", (System.nanoTime() - start) / 1_000_000);
        return Optional.of(new CpuDecoder(config, weights, Runtime.getRuntime().availableProcessors()));
    }

    private static boolean fitsArrays(ModelConfig c) {
        long d = c.hiddenSize();
        long qkv = (long) (c.numHeads() + 2 * c.numKvHeads()) * c.headDim();
        return VectorKernels.packable(c.embeddingRows(), d)
                && VectorKernels.packable(qkv, d)
                && VectorKernels.packable(d, (long) c.numHeads() * c.headDim())
                && VectorKernels.packable(2L * c.intermediateSize(), d)
                && VectorKernels.packable(d, c.intermediateSize());
    }

    private static VectorKernels.Panels panels(NDArray... parts) {
        float[] rows = rows(parts);
        int cols = (int) parts[0].getShape().get(1);
        return VectorKernels.pack(rows, rows.length / cols, cols);
    }

    /**
     * The parts' rows one after another, joined on the heap: an NDArray concat would leave a native copy in the
     * model's manager every time a decoder is rebuilt (after each optimizer step that is followed by generation).
     */
    private static float[] rows(NDArray... parts) {
        if (parts.length == 1) {
            return parts[0].toFloatArray();
        }
        float[][] each = new float[parts.length][];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            each[i] = parts[i].toFloatArray();
            total = Math.addExact(total, each[i].length);
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] part : each) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /**
     * One sequence's keys and values, (Hkv, capacity, K) per layer: slot i holds position i. Sequences are
     * independent, so a running batch is any list of them and rows can join or leave between steps.
     */
    public final class Sequence {
        final float[][] keys;
        final float[][] values;
        final int capacity;
        int length;

        Sequence(int capacity) {
            this.capacity = capacity;
            keys = new float[layers.length][];
            values = new float[layers.length][];
        }

        /** Positions held so far (the prompt and every token stepped since). */
        public int length() {
            return length;
        }

        public int capacity() {
            return capacity;
        }

        /** An independent copy (several samples of one prompt share its prefill). */
        public Sequence fork() {
            Sequence copy = new Sequence(capacity);
            for (int l = 0; l < layers.length; l++) {
                copy.keys[l] = keys[l].clone();
                copy.values[l] = values[l].clone();
            }
            copy.length = length;
            return copy;
        }
    }

    /** An empty sequence able to hold {@code capacity} positions, to be filled by {@link #step} from position 0. */
    public Sequence newSequence(int capacity) {
        Sequence s = new Sequence(capacity);
        int size = c.numKvHeads() * capacity * c.headDim();
        for (int l = 0; l < layers.length; l++) {
            s.keys[l] = new float[size];
            s.values[l] = new float[size];
        }
        return s;
    }

    /** A fixed batch being decoded together: one {@link Sequence} per row. */
    public final class State {
        final Sequence[] rows;

        State(Sequence[] rows) {
            this.rows = rows;
        }

        public List<Sequence> rows() {
            return List.of(rows);
        }
    }

    /**
     * Takes over a PyTorch KV cache after prefill: {@code starts[b]} is row b's first real slot (left padding before
     * it is dropped, so each row's slot i is its position i).
     */
    public State importCache(KvCache cache, int batch, int[] starts) {
        return new State(importRows(cache, batch, starts, cache.capacity()).toArray(new Sequence[0]));
    }

    /**
     * One {@link Sequence} per row of a PyTorch KV cache after prefill, each able to hold {@code capacity}
     * positions; {@code starts[b]} is row b's first real slot.
     */
    public List<Sequence> importRows(KvCache cache, int batch, int[] starts, int capacity) {
        int kvHeads = c.numKvHeads();
        int k = c.headDim();
        int from = cache.capacity();
        Sequence[] rows = new Sequence[batch];
        for (int r = 0; r < batch; r++) {
            int real = cache.length() - starts[r];
            if (real > capacity) {
                throw new IllegalArgumentException("row " + r + " holds " + real + " positions, more than " + capacity);
            }
            rows[r] = new Sequence(capacity);
            rows[r].length = real;
        }
        for (int l = 0; l < layers.length; l++) {
            float[][] kv = cache.copyLayer(l); // (B, Hkv, capacity, K)
            for (int r = 0; r < batch; r++) {
                Sequence row = rows[r];
                row.keys[l] = new float[kvHeads * capacity * k];
                row.values[l] = new float[kvHeads * capacity * k];
                for (int hk = 0; hk < kvHeads; hk++) {
                    int src = ((r * kvHeads + hk) * from + starts[r]) * k;
                    int dst = hk * capacity * k;
                    System.arraycopy(kv[0], src, row.keys[l], dst, row.length * k);
                    System.arraycopy(kv[1], src, row.values[l], dst, row.length * k);
                }
            }
        }
        return List.of(rows);
    }

    /**
     * One decode step: {@code tokens[b]} at rotary position {@code positions[b]} for every row; returns the
     * logits (B, V) flattened.
     */
    public float[] step(State s, long[] tokens, int[] positions) {
        return step(List.of(s.rows), tokens, positions);
    }

    /**
     * One decode step of any set of sequences: {@code tokens[b]} is appended to {@code rows.get(b)} at its next
     * slot, with rotary position {@code positions[b]}; returns the logits (B, V) flattened.
     */
    public float[] step(List<Sequence> rows, long[] tokens, int[] positions) {
        int b = rows.size();
        int d = c.hiddenSize();
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        int k = c.headDim();
        int f = c.intermediateSize();
        int qRows = heads * k;
        int kvRows = kvHeads * k;
        int qkvRows = qRows + 2 * kvRows;
        Sequence[] seqs = rows.toArray(new Sequence[0]);
        float[] x = new float[b * d];
        for (int r = 0; r < b; r++) {
            if (seqs[r].length >= seqs[r].capacity) {
                throw new IllegalStateException(
                        "row " + r + " holds its capacity of " + seqs[r].capacity + " positions");
            }
            if (tokens[r] < 0 || tokens[r] >= c.vocabSize()) {
                throw new IllegalArgumentException(
                        "token " + tokens[r] + " is outside the vocabulary of " + c.vocabSize());
            }
            if (embed != null) {
                System.arraycopy(embed, (int) tokens[r] * d, x, r * d, d);
            } else {
                head.row((int) tokens[r], x, r * d);
            }
        }
        float[] h = new float[b * d];
        float[] qkv = new float[b * qkvRows];
        float[] attn = new float[b * qRows];
        float[] proj = new float[b * d];
        float[] gateUp = new float[b * 2 * f];
        float[] act = new float[b * f];
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];

            // attention: norm, fused q/k/v, rotary, cache, scores over the row's slots
            rmsNorm(x, w.inNorm, h, b, d);
            parallel(w.qkv.count, (from, to) -> {
                VectorKernels.matvec(w.qkv, h, b, qkv, qkvRows, from, to);
                return 0;
            });
            prepareHeads(seqs, l, w, qkv, b, positions);
            int layer = l;
            parallel(b * heads, 8, (from, to) -> {
                for (int i = from; i < to; i++) {
                    attend(seqs[i / heads], layer, qkv, attn, i / heads, i % heads);
                }
                return 0;
            });
            parallel(w.o.count, (from, to) -> {
                VectorKernels.matvec(w.o, attn, b, proj, d, from, to);
                return 0;
            });
            add(x, proj);

            // MLP: down(silu(gate) * up)
            rmsNorm(x, w.postNorm, h, b, d);
            parallel(w.gateUp.count, (from, to) -> {
                VectorKernels.matvec(w.gateUp, h, b, gateUp, 2 * f, from, to);
                return 0;
            });
            for (int r = 0; r < b; r++) {
                for (int i = 0; i < f; i++) {
                    float g = gateUp[r * 2 * f + i];
                    act[r * f + i] = g / (1f + (float) Math.exp(-g)) * gateUp[r * 2 * f + f + i];
                }
            }
            parallel(w.down.count, (from, to) -> {
                VectorKernels.matvec(w.down, act, b, proj, d, from, to);
                return 0;
            });
            add(x, proj);
        }
        for (Sequence seq : seqs) {
            seq.length++;
        }

        // final norm and unembedding
        rmsNorm(x, finalNorm, h, b, d);
        int v = c.vocabSize();
        float[] logits = new float[b * v];
        parallel(head.count, (from, to) -> {
            VectorKernels.matvec(head, h, b, logits, v, from, to);
            return 0;
        });
        return logits;
    }

    /** Adds biases, applies q/k norms and rotary angles, and writes this step's keys and values to the cache. */
    private void prepareHeads(Sequence[] seqs, int l, Layer w, float[] qkv, int b, int[] positions) {
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        int k = c.headDim();
        int qRows = heads * k;
        int kvRows = kvHeads * k;
        int stride = qRows + 2 * kvRows;
        float[] cos = new float[k / 2];
        float[] sin = new float[k / 2];
        for (int r = 0; r < b; r++) {
            int base = r * stride;
            if (w.qkvBias != null) {
                for (int i = 0; i < stride; i++) {
                    qkv[base + i] += w.qkvBias[i];
                }
            }
            for (int i = 0; i < k / 2; i++) {
                float angle = (float) positions[r] * (float) invFreq[i];
                cos[i] = (float) Math.cos(angle);
                sin[i] = (float) Math.sin(angle);
            }
            for (int hq = 0; hq < heads; hq++) {
                int at = base + hq * k;
                if (w.qNorm != null) {
                    rmsNorm(qkv, at, w.qNorm, k);
                }
                rotate(qkv, at, cos, sin, k);
            }
            for (int hk = 0; hk < kvHeads; hk++) {
                int keyAt = base + qRows + hk * k;
                int valueAt = base + qRows + kvRows + hk * k;
                if (w.kNorm != null) {
                    rmsNorm(qkv, keyAt, w.kNorm, k);
                }
                rotate(qkv, keyAt, cos, sin, k);
                Sequence seq = seqs[r];
                int cacheAt = (hk * seq.capacity + seq.length) * k;
                System.arraycopy(qkv, keyAt, seq.keys[l], cacheAt, k);
                System.arraycopy(qkv, valueAt, seq.values[l], cacheAt, k);
            }
        }
    }

    /** Softmax attention of one query head of one row over the row's slots up to and including this step. */
    private void attend(Sequence seq, int l, float[] qkv, float[] out, int r, int hq) {
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        int k = c.headDim();
        int stride = (heads + 2 * kvHeads) * k;
        int hk = hq / c.groupSize();
        int q = r * stride + hq * k;
        int count = seq.length + 1;
        float[] scores = new float[count];
        float scale = (float) (1.0 / Math.sqrt(k));
        float max = Float.NEGATIVE_INFINITY;
        int cacheBase = hk * seq.capacity;
        for (int j = 0; j < count; j++) {
            scores[j] = VectorKernels.dot(qkv, q, seq.keys[l], (cacheBase + j) * k, k) * scale;
            max = Math.max(max, scores[j]);
        }
        float sum = 0;
        for (int j = 0; j < count; j++) {
            scores[j] = (float) Math.exp(scores[j] - max);
            sum += scores[j];
        }
        int o = r * heads * k + hq * k;
        java.util.Arrays.fill(out, o, o + k, 0f);
        for (int j = 0; j < count; j++) {
            VectorKernels.axpy(scores[j] / sum, seq.values[l], (cacheBase + j) * k, out, o, k);
        }
    }

    private void rmsNorm(float[] x, float[] w, float[] out, int b, int d) {
        for (int r = 0; r < b; r++) {
            float meanSquare = VectorKernels.dot(x, r * d, x, r * d, d) / d;
            float scale = (float) (1.0 / Math.sqrt(meanSquare + c.rmsNormEps()));
            for (int i = 0; i < d; i++) {
                out[r * d + i] = x[r * d + i] * scale * w[i];
            }
        }
    }

    private void rmsNorm(float[] x, int at, float[] w, int n) {
        float meanSquare = VectorKernels.dot(x, at, x, at, n) / n;
        float scale = (float) (1.0 / Math.sqrt(meanSquare + c.rmsNormEps()));
        for (int i = 0; i < n; i++) {
            x[at + i] = x[at + i] * scale * w[i];
        }
    }

    /** Rotate-half rotary embedding of one head in place. */
    private static void rotate(float[] x, int at, float[] cos, float[] sin, int k) {
        int half = k / 2;
        for (int i = 0; i < half; i++) {
            float a = x[at + i];
            float b = x[at + half + i];
            x[at + i] = a * cos[i] - b * sin[i];
            x[at + half + i] = b * cos[i] + a * sin[i];
        }
    }

    private static void add(float[] x, float[] y) {
        VectorKernels.axpy(1f, y, 0, x, 0, x.length);
    }

    /** Runs {@code work(from, to)} over [0, n) of weight panels split into one contiguous range per core. */
    private void parallel(int n, IntBinaryOperator work) {
        parallel(n, 1, work);
    }

    /**
     * As {@link #parallel(int, IntBinaryOperator)}, staying on this thread below {@code minPerThread} units per
     * core (a few heads' attention over a short cache costs less than waking the other cores).
     */
    private void parallel(int n, int minPerThread, IntBinaryOperator work) {
        if (n < team.size() * minPerThread) {
            work.applyAsInt(0, n);
            return;
        }
        team.run(n, work);
    }

    /** Whether {@link #close()} ran: its threads are stopped and it must not step again. */
    public boolean closed() {
        return team.closed();
    }

    @Override
    public void close() {
        team.close();
    }
}

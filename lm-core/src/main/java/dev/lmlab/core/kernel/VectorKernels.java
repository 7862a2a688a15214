package dev.lmlab.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of CPU decoding, on the Vector API: {@code y[b] = W · x[b]} for a batch of a few input vectors,
 * reading each weight once per step whatever the batch. Batch-1 decoding is a chain of such products and is bound
 * by how fast the weights stream in; batch 8 does eight times the arithmetic on the same bytes.
 *
 * <p>Weights are repacked into {@link Panels}: {@link #PANEL} consecutive output rows stored input-major, so the
 * kernel walks one contiguous stream, broadcasts one input element at a time and keeps {@code PANEL} outputs per
 * input in vector registers: no horizontal sums at all. Measured on this project's 2-core machines against a
 * row-major layout with a lane-parallel dot product per row (the previous kernel): a whole 113M-parameter decode
 * step ran at the same speed at batch 1 and 2.2× faster at batch 8 (one thread on a 768 × 24576 matrix: batch 4
 * at 42 against 26 GFLOP/s, batch 8 at 61 against 31).
 */
final class VectorKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** Output rows per panel: four vectors of accumulators per input (16 registers for a group of four inputs). */
    static final int PANEL = 4 * LANES;

    private VectorKernels() {}

    /**
     * A weight matrix (rows, cols) repacked for {@link #matvec}: panel p holds rows {@code p·PANEL ...} as
     * {@code data[(p·cols + i)·PANEL + j] = W[p·PANEL + j][i]}, the last panel padded with zero rows.
     */
    static final class Panels {
        final float[] data;
        final int rows;
        final int cols;
        final int count;

        private Panels(float[] data, int rows, int cols, int count) {
            this.data = data;
            this.rows = rows;
            this.cols = cols;
            this.count = count;
        }

        /** Copies row {@code r} (an embedding, when the head is tied) into {@code dst} at {@code at}. */
        void row(int r, float[] dst, int at) {
            int base = (r / PANEL) * cols * PANEL + r % PANEL;
            for (int i = 0; i < cols; i++) {
                dst[at + i] = data[base + i * PANEL];
            }
        }
    }

    private static volatile boolean warm;

    /**
     * Runs every kernel on a small matrix often enough that the JIT compiles it with its vector intrinsics now.
     * Until then the Vector API runs interpreted, boxing every vector, some 100× slower; left to the first real
     * decode steps, whose threads keep both cores busy, the compiler was seen to take seconds to get there.
     * Once per JVM; takes well under a second.
     */
    static void warmUp() {
        if (warm) {
            return;
        }
        int cols = 16;
        Panels w = pack(new float[PANEL * cols], PANEL, cols);
        float[] x = new float[4 * cols];
        float[] out = new float[4 * PANEL];
        for (int i = 0; i < 20_000; i++) {
            matvec(w, x, 1, out, PANEL, 0, 1);
            matvec(w, x, 4, out, PANEL, 0, 1);
            axpy(1f, x, 0, out, 0, cols);
            dot(x, 0, x, cols, cols);
        }
        warm = true;
    }

    /** Whether a (rows, cols) matrix fits one Java array once packed. */
    static boolean packable(long rows, long cols) {
        return ((rows + PANEL - 1) / PANEL) * PANEL * cols <= Integer.MAX_VALUE - 16;
    }

    /** Repacks row-major {@code w} (rows, cols) into panels. */
    static Panels pack(float[] w, int rows, int cols) {
        int count = (rows + PANEL - 1) / PANEL;
        float[] data = new float[Math.multiplyExact(Math.multiplyExact(count, cols), PANEL)];
        for (int r = 0; r < rows; r++) {
            int base = (r / PANEL) * cols * PANEL + r % PANEL;
            int from = r * cols;
            for (int i = 0; i < cols; i++) {
                data[base + i * PANEL] = w[from + i];
            }
        }
        return new Panels(data, rows, cols, count);
    }

    /**
     * For the output rows of panels {@code [panelFrom, panelTo)}: {@code out[b·outStride + r] = W[r] · x[b·cols
     * ...]} for b in 0..batch-1.
     */
    static void matvec(Panels w, float[] x, int batch, float[] out, int outStride, int panelFrom, int panelTo) {
        float[] partial = null;
        for (int p = panelFrom; p < panelTo; p++) {
            int valid = Math.min(PANEL, w.rows - p * PANEL);
            boolean full = valid == PANEL;
            if (!full && partial == null) {
                partial = new float[4 * PANEL];
            }
            int b = 0;
            // inputs four at a time: the panel is read from memory by the first group and from cache after
            for (; b < batch; b += 4) {
                int group = Math.min(4, batch - b);
                float[] dst = full ? out : partial;
                int dstAt = full ? b * outStride + p * PANEL : 0;
                int dstStride = full ? outStride : PANEL;
                if (group == 4) {
                    panel4(w, p, x, b, dst, dstAt, dstStride);
                } else {
                    for (int j = 0; j < group; j++) {
                        panel1(w, p, x, b + j, dst, dstAt + j * dstStride);
                    }
                }
                if (!full) {
                    for (int j = 0; j < group; j++) {
                        System.arraycopy(partial, j * PANEL, out, (b + j) * outStride + p * PANEL, valid);
                    }
                }
            }
        }
    }

    /** Inputs {@code b..b+3} against panel {@code p}: 16 accumulators, each weight vector loaded once for four. */
    private static void panel4(Panels w, int p, float[] x, int b, float[] dst, int dstAt, int dstStride) {
        float[] data = w.data;
        int cols = w.cols;
        int base = p * cols * PANEL;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F), a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F), a13 = FloatVector.zero(F), a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        for (int i = 0; i < cols; i++) {
            int at = base + i * PANEL;
            FloatVector w0 = FloatVector.fromArray(F, data, at);
            FloatVector w1 = FloatVector.fromArray(F, data, at + LANES);
            FloatVector w2 = FloatVector.fromArray(F, data, at + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(F, data, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(F, x[x0 + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            a02 = w2.fma(v, a02);
            a03 = w3.fma(v, a03);
            v = FloatVector.broadcast(F, x[x1 + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            a12 = w2.fma(v, a12);
            a13 = w3.fma(v, a13);
            v = FloatVector.broadcast(F, x[x2 + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            a22 = w2.fma(v, a22);
            a23 = w3.fma(v, a23);
            v = FloatVector.broadcast(F, x[x3 + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            a32 = w2.fma(v, a32);
            a33 = w3.fma(v, a33);
        }
        a00.intoArray(dst, dstAt);
        a01.intoArray(dst, dstAt + LANES);
        a02.intoArray(dst, dstAt + 2 * LANES);
        a03.intoArray(dst, dstAt + 3 * LANES);
        a10.intoArray(dst, dstAt + dstStride);
        a11.intoArray(dst, dstAt + dstStride + LANES);
        a12.intoArray(dst, dstAt + dstStride + 2 * LANES);
        a13.intoArray(dst, dstAt + dstStride + 3 * LANES);
        a20.intoArray(dst, dstAt + 2 * dstStride);
        a21.intoArray(dst, dstAt + 2 * dstStride + LANES);
        a22.intoArray(dst, dstAt + 2 * dstStride + 2 * LANES);
        a23.intoArray(dst, dstAt + 2 * dstStride + 3 * LANES);
        a30.intoArray(dst, dstAt + 3 * dstStride);
        a31.intoArray(dst, dstAt + 3 * dstStride + LANES);
        a32.intoArray(dst, dstAt + 3 * dstStride + 2 * LANES);
        a33.intoArray(dst, dstAt + 3 * dstStride + 3 * LANES);
    }

    /**
     * Input {@code b} against panel {@code p}, four input elements per iteration over two sets of accumulators: a
     * single chain per register leaves loads waiting on the previous FMA, and more loads in flight per iteration
     * keep the memory stream busier (measured with two threads over 393 MB: 10, 19–29 and 26–33 GB/s for one, two
     * and four elements per iteration).
     */
    private static void panel1(Panels w, int p, float[] x, int b, float[] dst, int dstAt) {
        float[] data = w.data;
        int cols = w.cols;
        int base = p * cols * PANEL;
        int xb = b * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 4 <= cols; i += 4) {
            int at = base + i * PANEL;
            FloatVector v = FloatVector.broadcast(F, x[xb + i]);
            FloatVector u = FloatVector.broadcast(F, x[xb + i + 1]);
            a0 = FloatVector.fromArray(F, data, at).fma(v, a0);
            a1 = FloatVector.fromArray(F, data, at + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(F, data, at + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(F, data, at + 3 * LANES).fma(v, a3);
            c0 = FloatVector.fromArray(F, data, at + PANEL).fma(u, c0);
            c1 = FloatVector.fromArray(F, data, at + PANEL + LANES).fma(u, c1);
            c2 = FloatVector.fromArray(F, data, at + PANEL + 2 * LANES).fma(u, c2);
            c3 = FloatVector.fromArray(F, data, at + PANEL + 3 * LANES).fma(u, c3);
            at += 2 * PANEL;
            v = FloatVector.broadcast(F, x[xb + i + 2]);
            u = FloatVector.broadcast(F, x[xb + i + 3]);
            a0 = FloatVector.fromArray(F, data, at).fma(v, a0);
            a1 = FloatVector.fromArray(F, data, at + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(F, data, at + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(F, data, at + 3 * LANES).fma(v, a3);
            c0 = FloatVector.fromArray(F, data, at + PANEL).fma(u, c0);
            c1 = FloatVector.fromArray(F, data, at + PANEL + LANES).fma(u, c1);
            c2 = FloatVector.fromArray(F, data, at + PANEL + 2 * LANES).fma(u, c2);
            c3 = FloatVector.fromArray(F, data, at + PANEL + 3 * LANES).fma(u, c3);
        }
        for (; i < cols; i++) {
            int at = base + i * PANEL;
            FloatVector v = FloatVector.broadcast(F, x[xb + i]);
            a0 = FloatVector.fromArray(F, data, at).fma(v, a0);
            a1 = FloatVector.fromArray(F, data, at + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(F, data, at + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(F, data, at + 3 * LANES).fma(v, a3);
        }
        a0.add(c0).intoArray(dst, dstAt);
        a1.add(c1).intoArray(dst, dstAt + LANES);
        a2.add(c2).intoArray(dst, dstAt + 2 * LANES);
        a3.add(c3).intoArray(dst, dstAt + 3 * LANES);
    }

    /** {@code dot(a[ao..ao+n], b[bo..bo+n])}. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int vectorEnd = n - n % LANES;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < vectorEnd; i += LANES) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int i = vectorEnd; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** {@code y[yo..] += a · x[xo..]} over n elements. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int vectorEnd = n - n % LANES;
        FloatVector av = FloatVector.broadcast(F, a);
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector.fromArray(F, x, xo + i)
                    .fma(av, FloatVector.fromArray(F, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }
}

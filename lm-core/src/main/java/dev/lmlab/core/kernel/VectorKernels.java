package dev.lmlab.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of CPU decoding, on the Vector API: {@code y[b][r] = W[r] · x[b]} for a few rows of a
 * row-major weight matrix and up to 8 input vectors at once, so each weight row is read from memory once per
 * step whatever the batch. Batch-1 decoding is a chain of such products and is bound by how fast the weights
 * stream in; this loop streams them at close to the machine's read bandwidth.
 */
final class VectorKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private VectorKernels() {}

    /**
     * For rows {@code [from, to)} of {@code w} (row length {@code d}, starting at {@code offset} floats):
     * {@code out[b * outStride + r] = dot(w[r], x[b * d ...])} for b in 0..batch-1.
     */
    static void matvec(
            float[] w, int offset, int d, float[] x, int batch, float[] out, int outStride, int from, int to) {
        int vectorEnd = d - d % LANES;
        int b = 0;
        for (; b + 8 <= batch; b += 8) {
            matvec8(w, offset, d, x, b, out, outStride, from, to, vectorEnd);
        }
        for (; b + 4 <= batch; b += 4) {
            int x0 = b * d;
            int x1 = x0 + d;
            int x2 = x1 + d;
            int x3 = x2 + d;
            for (int r = from; r < to; r++) {
                int base = offset + r * d;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                for (int i = 0; i < vectorEnd; i += LANES) {
                    FloatVector wv = FloatVector.fromArray(F, w, base + i);
                    a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
                    a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
                    a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
                    a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (int i = vectorEnd; i < d; i++) {
                    float wi = w[base + i];
                    s0 += wi * x[x0 + i];
                    s1 += wi * x[x1 + i];
                    s2 += wi * x[x2 + i];
                    s3 += wi * x[x3 + i];
                }
                out[b * outStride + r] = s0;
                out[(b + 1) * outStride + r] = s1;
                out[(b + 2) * outStride + r] = s2;
                out[(b + 3) * outStride + r] = s3;
            }
        }
        for (; b < batch; b++) {
            int xb = b * d;
            for (int r = from; r < to; r++) {
                int base = offset + r * d;
                FloatVector acc = FloatVector.zero(F);
                for (int i = 0; i < vectorEnd; i += LANES) {
                    acc = FloatVector.fromArray(F, w, base + i).fma(FloatVector.fromArray(F, x, xb + i), acc);
                }
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (int i = vectorEnd; i < d; i++) {
                    s += w[base + i] * x[xb + i];
                }
                out[b * outStride + r] = s;
            }
        }
    }

    /** Eight input vectors from {@code b0} on against each weight row: one read of the row for all eight. */
    private static void matvec8(
            float[] w,
            int offset,
            int d,
            float[] x,
            int b0,
            float[] out,
            int outStride,
            int from,
            int to,
            int vectorEnd) {
        int x0 = b0 * d;
        for (int r = from; r < to; r++) {
            int base = offset + r * d;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F);
            FloatVector a5 = FloatVector.zero(F);
            FloatVector a6 = FloatVector.zero(F);
            FloatVector a7 = FloatVector.zero(F);
            for (int i = 0; i < vectorEnd; i += LANES) {
                FloatVector wv = FloatVector.fromArray(F, w, base + i);
                a0 = wv.fma(FloatVector.fromArray(F, x, x0 + 0 * d + i), a0);
                a1 = wv.fma(FloatVector.fromArray(F, x, x0 + 1 * d + i), a1);
                a2 = wv.fma(FloatVector.fromArray(F, x, x0 + 2 * d + i), a2);
                a3 = wv.fma(FloatVector.fromArray(F, x, x0 + 3 * d + i), a3);
                a4 = wv.fma(FloatVector.fromArray(F, x, x0 + 4 * d + i), a4);
                a5 = wv.fma(FloatVector.fromArray(F, x, x0 + 5 * d + i), a5);
                a6 = wv.fma(FloatVector.fromArray(F, x, x0 + 6 * d + i), a6);
                a7 = wv.fma(FloatVector.fromArray(F, x, x0 + 7 * d + i), a7);
            }
            float[] s = {
                a0.reduceLanes(VectorOperators.ADD),
                a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD),
                a3.reduceLanes(VectorOperators.ADD),
                a4.reduceLanes(VectorOperators.ADD),
                a5.reduceLanes(VectorOperators.ADD),
                a6.reduceLanes(VectorOperators.ADD),
                a7.reduceLanes(VectorOperators.ADD)
            };
            for (int i = vectorEnd; i < d; i++) {
                float wi = w[base + i];
                for (int j = 0; j < 8; j++) {
                    s[j] += wi * x[x0 + j * d + i];
                }
            }
            for (int j = 0; j < 8; j++) {
                out[(b0 + j) * outStride + r] = s[j];
            }
        }
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

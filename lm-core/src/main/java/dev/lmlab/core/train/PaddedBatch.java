package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Examples laid out as one right-padded (B, T) batch: prompt then response then padding. Host-side arrays are
 * kept next to the tensors because the objectives decide per position (what to mask, where the window is) in
 * Java before building their tensors.
 *
 * @param ids (B·T) row-major token ids, padding = {@code padId}
 * @param real (B·T) 1 on prompt and response tokens, 0 on padding
 * @param response (B·T) 1 on response tokens
 * @param promptLengths per row
 */
public record PaddedBatch(
        List<TrainingExample> examples,
        int rows,
        int width,
        long[] ids,
        float[] real,
        float[] response,
        int[] promptLengths) {

    public static PaddedBatch of(List<TrainingExample> examples, long padId) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one example");
        }
        int b = examples.size();
        int t = examples.stream().mapToInt(TrainingExample::length).max().orElseThrow();
        long[] ids = new long[b * t];
        float[] real = new float[b * t];
        float[] response = new float[b * t];
        int[] promptLengths = new int[b];
        java.util.Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            TrainingExample e = examples.get(r);
            promptLengths[r] = e.prompt().length;
            int at = r * t;
            for (long id : e.prompt()) {
                real[at] = 1;
                ids[at++] = id;
            }
            for (long id : e.response()) {
                real[at] = 1;
                response[at] = 1;
                ids[at++] = id;
            }
        }
        return new PaddedBatch(List.copyOf(examples), b, t, ids, real, response, promptLengths);
    }

    public Shape shape() {
        return new Shape(rows, width);
    }

    /** Real (non-padding) tokens in the batch. */
    public long tokens() {
        long n = 0;
        for (float x : real) {
            n += (long) x;
        }
        return n;
    }

    public boolean padded() {
        for (float x : real) {
            if (x == 0) {
                return true;
            }
        }
        return false;
    }

    /** (B, T) INT64 token ids. */
    public NDArray idsArray(NDManager m) {
        return m.create(ids, shape());
    }

    /** (B, T) key mask for attention (1 = real token), or null when no row is padded. */
    public NDArray attentionMask(NDManager m) {
        return padded() ? m.create(real, shape()) : null;
    }
}

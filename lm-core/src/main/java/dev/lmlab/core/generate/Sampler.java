package dev.lmlab.core.generate;

import java.util.Arrays;
import java.util.Collection;
import java.util.SplittableRandom;

/** Picks one token from one row of logits; works on a copy of the row in Java memory. */
final class Sampler {

    private Sampler() {}

    /** Applies repetition penalty, temperature, top-k and top-p to {@code logits} in place; then draws. */
    static int pick(float[] logits, Collection<Long> previous, SamplingParams p, SplittableRandom random) {
        if (p.repetitionPenalty() != 1) {
            for (long id : previous) {
                int i = (int) id;
                if (i >= 0 && i < logits.length) {
                    logits[i] = logits[i] > 0
                            ? (float) (logits[i] / p.repetitionPenalty())
                            : (float) (logits[i] * p.repetitionPenalty());
                }
            }
        }
        if (p.greedy()) {
            return argmax(logits);
        }
        int v = logits.length;
        double[] scaled = new double[v];
        for (int i = 0; i < v; i++) {
            scaled[i] = logits[i] / p.temperature();
        }
        if (p.topK() > 0 && p.topK() < v) {
            double kth = kthLargest(scaled, p.topK());
            for (int i = 0; i < v; i++) {
                if (scaled[i] < kth) {
                    scaled[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double[] probs = softmax(scaled);
        if (p.topP() < 1) {
            keepNucleus(probs, p.topP());
        }
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < v; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // rounding left u above the total
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double kthLargest(double[] values, int k) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length - k];
    }

    static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < x.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** Zeroes everything outside the smallest most-likely set reaching {@code topP}, renormalising the rest. */
    private static void keepNucleus(double[] probs, double topP) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double cumulative = 0;
        double kept = 0;
        boolean cut = false;
        for (Integer i : order) {
            if (cut) {
                probs[i] = 0;
                continue;
            }
            cumulative += probs[i];
            kept += probs[i];
            if (cumulative >= topP) {
                cut = true;
            }
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] /= kept;
        }
    }
}

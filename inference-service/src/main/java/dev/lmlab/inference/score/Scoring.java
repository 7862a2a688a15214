package dev.lmlab.inference.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.util.Permutations;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Log-probabilities of given tokens under a model: the math behind {@code /v1/score}. Run on the model's thread. */
final class Scoring {

    private Scoring() {}

    /** Log-softmax over the vocabulary of one forward pass over {@code ids}: (T, V) flattened. */
    static float[] logSoftmax(LanguageModel model, long[] ids, Hooks hooks, int promptLength) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            NDArray logits = model.transformer()
                    .forward(input, null, null, null, hooks, new HookSite(new int[] {0}, new int[] {promptLength}, 0));
            return logits.get(0).logSoftmax(-1).toFloatArray();
        }
    }

    /** A Monte Carlo estimate of the masked-diffusion NELBO of a response and its standard error. */
    record Nelbo(double nelbo, double standardError, int samples) {}

    /**
     * LLaDA's likelihood evaluation: per sample mask k of the L response tokens (k stratified over the batch from
     * a random start, prompt kept visible), predict them in one pass, and weight their summed negative
     * log-likelihood by L / k. The mean over samples bounds −log p(response | prompt) from above.
     */
    static Nelbo nelbo(
            LanguageModel model, long[] prompt, long[] response, long maskId, int samples, long seed, Hooks hooks) {
        int l = response.length;
        int total = prompt.length + l;
        SplittableRandom random = new SplittableRandom(seed);
        double[] estimates = new double[samples];
        int batch = Math.min(samples, 16);
        for (int done = 0; done < samples; done += batch) {
            int b = Math.min(batch, samples - done);
            int start = 1 + random.nextInt(l);
            long[] ids = new long[b * total];
            int[] masked = new int[b];
            for (int r = 0; r < b; r++) {
                // LLaDA: x = round(linspace(k, k + (b−1)·L/b, b)), wrapped into 1..L
                int k = (int) Math.round(start + (b == 1 ? 0 : r * (double) l / b));
                k = ((k - 1) % l) + 1;
                masked[r] = k;
                int[] order = Permutations.of(l, random);
                System.arraycopy(prompt, 0, ids, r * total, prompt.length);
                System.arraycopy(response, 0, ids, r * total + prompt.length, l);
                for (int i = 0; i < k; i++) {
                    ids[r * total + prompt.length + order[i]] = maskId;
                }
            }
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray logits = model.transformer()
                        .forward(
                                scope.create(ids, new Shape(b, total)),
                                null,
                                null,
                                null,
                                hooks,
                                new HookSite(new int[b], filled(b, prompt.length), 0));
                float[] logp = logits.logSoftmax(-1).toFloatArray();
                int v = (int) logits.getShape().get(2);
                for (int r = 0; r < b; r++) {
                    double nll = 0;
                    for (int i = 0; i < l; i++) {
                        int at = r * total + prompt.length + i;
                        if (ids[at] == maskId) {
                            nll -= logp[at * v + (int) response[i]];
                        }
                    }
                    estimates[done + r] = nll * l / masked[r];
                }
            }
        }
        double mean = Arrays.stream(estimates).average().orElse(0);
        double var = 0;
        for (double e : estimates) {
            var += (e - mean) * (e - mean);
        }
        double se = samples > 1 ? Math.sqrt(var / (samples - 1) / samples) : Double.NaN;
        return new Nelbo(mean, se, samples);
    }

    private static int[] filled(int n, int value) {
        int[] out = new int[n];
        Arrays.fill(out, value);
        return out;
    }
}

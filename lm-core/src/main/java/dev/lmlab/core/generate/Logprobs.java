package dev.lmlab.core.generate;

import dev.lmlab.core.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/** Log-probabilities from one row of raw logits (before any sampling transform). */
final class Logprobs {

    private Logprobs() {}

    static Generation.TokenLogprob of(float[] logits, int token, int top, TextTokenizer tokenizer) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        List<Generation.Alternative> alternatives = new ArrayList<>(top);
        boolean[] taken = new boolean[logits.length];
        for (int k = 0; k < top && k < logits.length; k++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            alternatives.add(
                    new Generation.Alternative(best, tokenizer.decode(new long[] {best}, false), logits[best] - logZ));
        }
        return new Generation.TokenLogprob(
                token, tokenizer.decode(new long[] {token}, false), logits[token] - logZ, alternatives);
    }
}

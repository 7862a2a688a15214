package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.Scalars;
import dev.lmlab.core.model.Transformer;
import java.util.SplittableRandom;

/** The training objectives of lm-core, differentiable through the model's parameters. */
public final class Losses {

    /** LLaDA's lower bound on the masking probability, so 1/t stays finite. */
    public static final double NELBO_EPSILON = 1e-3;

    private Losses() {}

    /**
     * Next-token cross-entropy: logits (B, T, V) at position t predict token t+1 of {@code ids} (B, T); only
     * targets where {@code lossMask} (B, T) is 1 count (the response, for SFT), averaged over them.
     */
    public static NDArray nextTokenCrossEntropy(NDArray logits, NDArray ids, NDArray lossMask) {
        long t = ids.getShape().get(1);
        NDArray predicting = logits.get(new NDIndex(":, :{}, :", t - 1)); // (B, T-1, V)
        NDArray targets = ids.get(new NDIndex(":, 1:")); // (B, T-1)
        NDArray weights = lossMask.get(new NDIndex(":, 1:")).toType(DataType.FLOAT32, false); // (B, T-1)
        NDArray nll = tokenNll(predicting, targets); // (B, T-1)
        return nll.mul(weights).sum().div(weights.sum().maximum(1f));
    }

    /** −log p(target) per position: logits (B, T, V), targets (B, T) → (B, T). */
    public static NDArray tokenNll(NDArray logits, NDArray targets) {
        NDArray logp = logits.logSoftmax(-1); // (B, T, V)
        return logp.mul(oneHot(targets, (int) logits.getShape().get(2)))
                .sum(new int[] {-1})
                .neg(); // (B, T)
    }

    /** Predictive entropy in nats per position: logits (B, T, V) → (B, T); differentiable. */
    public static NDArray entropy(NDArray logits) {
        NDArray logp = logits.logSoftmax(-1); // (B, T, V)
        return logp.exp().mul(logp).sum(new int[] {-1}).neg(); // (B, T)
    }

    /** {@code log(1 + e^x)} without overflow: {@code max(x, 0) + log(1 + e^-|x|)}. */
    public static NDArray softplus(NDArray x) {
        return x.maximum(Scalars.of(x, 0)).add(x.abs().neg().exp().add(1f).log());
    }

    private static NDArray oneHot(NDArray ids, int depth) {
        return ids.oneHot(depth).toType(DataType.FLOAT32, false);
    }

    /**
     * The masked-diffusion NELBO as LLaDA trains it: per row draw t ~ U(0, 1), set p = (1 − ε)t + ε, mask each
     * response token (never the prompt) with probability p, predict every masked token in one pass, and take
     * {@code Σ_masked −log p(x₀ᵢ | x_t) / p} divided by the row's response length; averaged over rows.
     *
     * @param ids (B, L) clean sequences, prompt then response (then padding, excluded by {@code responseMask})
     * @param responseMask (B, L) 1 on response tokens, the only ones that may be masked and count
     * @return the loss, with the masked input and masking probabilities for callers that log them
     */
    public static Nelbo maskedDiffusionNelbo(
            Transformer model, NDArray ids, NDArray responseMask, long maskTokenId, SplittableRandom random) {
        return maskedDiffusionNelbo(model, ids, null, responseMask, maskTokenId, random);
    }

    /**
     * As {@link #maskedDiffusionNelbo(Transformer, NDArray, NDArray, long, SplittableRandom)} for right-padded
     * rows: {@code attentionMask} (B, L) hides padding keys from the bidirectional attention (null when nothing is
     * padded), and padding must be 0 in {@code responseMask}.
     */
    public static Nelbo maskedDiffusionNelbo(
            Transformer model,
            NDArray ids,
            NDArray attentionMask,
            NDArray responseMask,
            long maskTokenId,
            SplittableRandom random) {
        NDManager m = ids.getManager();
        int b = (int) ids.getShape().get(0);
        int l = (int) ids.getShape().get(1);
        long[] clean = ids.toLongArray();
        long[] response = responseMask.toType(DataType.INT64, false).toLongArray();
        long[] noisy = clean.clone();
        float[] pMask = new float[b * l];
        float[] masked = new float[b * l];
        float[] responseLengths = new float[b * l];
        for (int r = 0; r < b; r++) {
            double t = random.nextDouble();
            double p = (1 - NELBO_EPSILON) * t + NELBO_EPSILON;
            int length = 0;
            for (int i = 0; i < l; i++) {
                length += response[r * l + i] == 1 ? 1 : 0;
            }
            for (int i = 0; i < l; i++) {
                int k = r * l + i;
                pMask[k] = (float) p;
                responseLengths[k] = Math.max(1, length);
                if (response[k] == 1 && random.nextDouble() < p) {
                    noisy[k] = maskTokenId;
                    masked[k] = 1;
                }
            }
        }
        Shape shape = new Shape(b, l);
        NDArray noisyIds = m.create(noisy, shape);
        NDArray logits = model.forward(noisyIds, attentionMask, null, null, Hooks.NONE, HookSite.PROMPT); // (B, L, V)
        NDArray nll = tokenNll(logits, ids); // (B, L)
        NDArray weights =
                m.create(masked, shape).div(m.create(pMask, shape)).div(m.create(responseLengths, shape)); // (B, L)
        NDArray loss = nll.mul(weights).sum().div(Scalars.of(nll, b)); // Scalars: the divisor is kept for backward
        return new Nelbo(loss, noisyIds, masked);
    }

    /** A NELBO evaluation: the loss, the noised input and which positions were masked. */
    public record Nelbo(NDArray loss, NDArray noisyIds, float[] masked) {}
}

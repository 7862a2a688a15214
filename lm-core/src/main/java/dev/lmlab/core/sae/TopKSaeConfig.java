package dev.lmlab.core.sae;

import java.util.Set;

/**
 * What a Top-K sparse autoencoder is trained with (Gao et al. 2024, "Scaling and evaluating sparse autoencoders").
 *
 * @param dIn width of the activations (d_in)
 * @param dSae number of latents (d_sae)
 * @param k latents kept per token, 1 to d_sae − 1
 * @param kAux dead latents the AuxK loss may use per token (capped by how many are dead); 0 turns AuxK off
 * @param auxAlpha weight of the AuxK loss in the total loss
 * @param deadAfterTokens a latent that has not fired for this many tokens is dead
 * @param learningRate Adam's step size (constant; no schedule)
 * @param adamBeta1 Adam's first-moment decay
 * @param adamBeta2 Adam's second-moment decay
 * @param adamEpsilon Adam's ε (the paper uses 6.25e-10; PyTorch's default is 1e-8)
 * @param bDecInit how b_dec starts: {@value #GEOMETRIC_MEDIAN} or {@value #MEAN} of the initial sample
 * @param seed seeds the random decoder directions
 */
public record TopKSaeConfig(
        int dIn,
        int dSae,
        int k,
        int kAux,
        double auxAlpha,
        long deadAfterTokens,
        double learningRate,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        String bDecInit,
        long seed) {

    public static final String GEOMETRIC_MEDIAN = "geometric_median";
    public static final String MEAN = "mean";

    /** The paper's threshold: a latent silent for 10M tokens is dead. */
    public static final long DEFAULT_DEAD_AFTER_TOKENS = 10_000_000L;

    public static final double DEFAULT_AUX_ALPHA = 1.0 / 32;
    public static final double DEFAULT_ADAM_EPSILON = 6.25e-10;

    private static final Set<String> B_DEC_INITS = Set.of(GEOMETRIC_MEDIAN, MEAN);

    public TopKSaeConfig {
        if (dIn <= 0) {
            throw new IllegalArgumentException("d_in must be positive, got " + dIn);
        }
        if (dSae < 2) {
            throw new IllegalArgumentException("d_sae must be at least 2, got " + dSae);
        }
        if (k < 1 || k >= dSae) {
            throw new IllegalArgumentException("k must be in 1..d_sae-1 = 1.." + (dSae - 1) + ", got " + k
                    + " (a Top-K SAE keeps fewer latents than it has)");
        }
        if (kAux < 0) {
            throw new IllegalArgumentException("k_aux must be 0 (AuxK off) or positive, got " + kAux);
        }
        if (!(auxAlpha >= 0) || Double.isInfinite(auxAlpha)) {
            throw new IllegalArgumentException("aux_alpha must be a finite number >= 0, got " + auxAlpha);
        }
        if (deadAfterTokens < 1) {
            throw new IllegalArgumentException("dead_after_tokens must be at least 1, got " + deadAfterTokens);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
        }
        if (!(adamBeta1 >= 0 && adamBeta1 < 1) || !(adamBeta2 >= 0 && adamBeta2 < 1)) {
            throw new IllegalArgumentException(
                    "Adam betas must be in [0, 1), got beta1=" + adamBeta1 + ", beta2=" + adamBeta2);
        }
        if (!(adamEpsilon > 0) || Double.isInfinite(adamEpsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be a finite number > 0, got " + adamEpsilon);
        }
        if (bDecInit == null || !B_DEC_INITS.contains(bDecInit)) {
            throw new IllegalArgumentException(
                    "b_dec init must be '" + GEOMETRIC_MEDIAN + "' or '" + MEAN + "', got " + bDecInit);
        }
    }

    /** The configuration with Adam's betas at 0.9 / 0.999 and ε at the paper's 6.25e-10. */
    public TopKSaeConfig(
            int dIn,
            int dSae,
            int k,
            int kAux,
            double auxAlpha,
            long deadAfterTokens,
            double learningRate,
            String bDecInit,
            long seed) {
        this(
                dIn,
                dSae,
                k,
                kAux,
                auxAlpha,
                deadAfterTokens,
                learningRate,
                0.9,
                0.999,
                DEFAULT_ADAM_EPSILON,
                bDecInit,
                seed);
    }

    /**
     * Defaults for a d_in × d_sae SAE keeping k latents: k_aux = {@link #defaultKAux}, α = 1/32, dead after 10M
     * tokens, the learning rate of {@link #defaultLearningRate}, b_dec at the geometric median, seed 0.
     */
    public static TopKSaeConfig defaults(int dIn, int dSae, int k) {
        return new TopKSaeConfig(
                dIn,
                dSae,
                k,
                defaultKAux(dIn),
                DEFAULT_AUX_ALPHA,
                DEFAULT_DEAD_AFTER_TOKENS,
                defaultLearningRate(dSae),
                GEOMETRIC_MEDIAN,
                0);
    }

    /**
     * min(512, d_in / 2), at least 1: the paper uses 512 with d_in in the thousands; d_in / 2 (as EleutherAI's
     * sparsify does) keeps the auxiliary reconstruction below full rank on narrow models.
     */
    public static int defaultKAux(int dIn) {
        return Math.max(1, Math.min(512, dIn / 2));
    }

    /** The paper's scaling: 2e-4 at 2^14 latents, proportional to 1/√d_sae. */
    public static double defaultLearningRate(int dSae) {
        return 2e-4 / Math.sqrt(dSae / 16384.0);
    }

    public TopKSaeConfig withLearningRate(double lr) {
        return new TopKSaeConfig(
                dIn, dSae, k, kAux, auxAlpha, deadAfterTokens, lr, adamBeta1, adamBeta2, adamEpsilon, bDecInit, seed);
    }

    public TopKSaeConfig withAux(int newKAux, double newAuxAlpha, long newDeadAfterTokens) {
        return new TopKSaeConfig(
                dIn,
                dSae,
                k,
                newKAux,
                newAuxAlpha,
                newDeadAfterTokens,
                learningRate,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                bDecInit,
                seed);
    }

    public TopKSaeConfig withAdam(double beta1, double beta2, double epsilon) {
        return new TopKSaeConfig(
                dIn, dSae, k, kAux, auxAlpha, deadAfterTokens, learningRate, beta1, beta2, epsilon, bDecInit, seed);
    }

    public TopKSaeConfig withBDecInit(String init) {
        return new TopKSaeConfig(
                dIn,
                dSae,
                k,
                kAux,
                auxAlpha,
                deadAfterTokens,
                learningRate,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                init,
                seed);
    }

    public TopKSaeConfig withSeed(long newSeed) {
        return new TopKSaeConfig(
                dIn,
                dSae,
                k,
                kAux,
                auxAlpha,
                deadAfterTokens,
                learningRate,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                bDecInit,
                newSeed);
    }
}

package dev.lmlab.interp.sae;

/**
 * Where an SAE's training rows come from: a stored activation set ({@link TokenRows}) or activations captured from
 * the inference service as training goes ({@link StreamedRows}). Batch b of a seed is always the same rows, which is
 * what makes a revived run continue exactly.
 */
interface TrainingRows {

    int width();

    /** Training rows available (an estimate for a streamed source, which learns its token counts as it goes). */
    long trainRows();

    float[][] batch(long step, int size, long seed);

    /** Up to {@code max} rows kept out of training, for the final evaluation. */
    float[][] heldOut(int max);

    /** Up to {@code max} training rows, for initialising b_dec. */
    float[][] sample(int max);

    /** Provenance for the SAE's config: which set, or which model and input. */
    java.util.Map<String, Object> provenance();
}

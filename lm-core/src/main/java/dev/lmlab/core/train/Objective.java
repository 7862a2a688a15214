package dev.lmlab.core.train;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.model.Transformer;
import java.util.SplittableRandom;

/**
 * A training objective: turns a batch into a differentiable loss. Randomness (masking rates, cut steps) comes
 * only from {@code random}, so a trainer that seeds it per step reproduces the same curve, resumed or not.
 */
public interface Objective {

    /** Short name used in logs and as the metric prefix of the components. */
    String name();

    /**
     * @param scope where the batch's tensors and the loss live; the caller closes it after the backward pass, so
     *     nothing the objective allocates outlives the step
     */
    LossTerms loss(Transformer model, PaddedBatch batch, SplittableRandom random, NDManager scope);
}

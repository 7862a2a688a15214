package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.model.Transformer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Next-token cross-entropy for causal models: over every token for pretraining, over the response only for SFT
 * (the prompt is context, not a target). Right padding needs no attention mask here: the causal mask already
 * hides later (padding) keys from every real query, and padding targets carry no weight.
 */
public record CausalLmObjective(boolean responseOnly) implements Objective {

    @Override
    public String name() {
        return responseOnly ? "sft" : "pretrain";
    }

    @Override
    public LossTerms loss(Transformer model, PaddedBatch batch, SplittableRandom random, NDManager m) {
        NDArray ids = batch.idsArray(m); // (B, T)
        NDArray weights = m.create(responseOnly ? batch.response() : batch.real(), batch.shape()); // (B, T)
        NDArray logits = model.forward(ids); // (B, T, V)
        NDArray ce = Losses.nextTokenCrossEntropy(logits, ids, weights);
        return new LossTerms(ce, Map.of("ce", (double) ce.getFloat()), batch.tokens());
    }
}

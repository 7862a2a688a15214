package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.model.Transformer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LLaDA's masked-diffusion NELBO ({@link Losses#maskedDiffusionNelbo}). For SFT the prompt is never masked and
 * only response tokens are predicted; for pretraining every real token may be masked.
 */
public record MaskedDiffusionObjective(long maskTokenId, boolean promptVisible) implements Objective {

    @Override
    public String name() {
        return promptVisible ? "nelbo_sft" : "pretrain";
    }

    @Override
    public LossTerms loss(Transformer model, PaddedBatch batch, SplittableRandom random, NDManager m) {
        NDArray ids = batch.idsArray(m); // (B, L)
        NDArray maskable = m.create(promptVisible ? batch.response() : batch.real(), batch.shape()); // (B, L)
        Losses.Nelbo nelbo =
                Losses.maskedDiffusionNelbo(model, ids, batch.attentionMask(m), maskable, maskTokenId, random);
        return new LossTerms(nelbo.loss(), Map.of("nelbo", (double) nelbo.loss().getFloat()), batch.tokens());
    }
}

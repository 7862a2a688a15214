package dev.lmlab.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.model.Transformer;
import dev.lmlab.core.tiny.TinyModels;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingStepTest {

    static final List<TrainingExample> EXAMPLES = List.of(
            TrainingExample.of(new long[] {1, 40, 41}, new long[] {50, 51, 52}),
            TrainingExample.of(new long[] {1, 42}, new long[] {53, 54, 55, 56, 57}));

    @Test
    void stepsLeaveNoArraysBehindInTheModelsManager() throws Exception {
        for (ModelConfig.Family family : List.of(ModelConfig.Family.LLAMA, ModelConfig.Family.LLADA)) {
            ModelConfig config = TinyModels.config(family, TinyModels.Size.TINY);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                ModelWeights weights = ModelWeights.random(config, m, 2, 0.1);
                Transformer model = new Transformer(config, weights, m);
                Objective objective = family == ModelConfig.Family.LLADA
                        ? new MaskedDiffusionObjective(TinyModels.MASK, true)
                        : new CausalLmObjective(true);
                TrainingStep step =
                        new TrainingStep(model, weights.named(), AdamW.standard(weights.named(), m, 0.1), objective, 1);
                PaddedBatch batch = PaddedBatch.of(EXAMPLES, TinyModels.PAD);
                step.run(List.of(batch, batch), 1e-3, new SplittableRandom(1));
                int after1 = resources(m);
                for (int s = 0; s < 5; s++) {
                    step.run(List.of(batch, batch), 1e-3, new SplittableRandom(s));
                }
                assertThat(resources(m))
                        .as(family + ": arrays held by the model's manager")
                        .isEqualTo(after1);
            }
        }
    }

    @Test
    void aStepRunsOnAFreshThreadWherePyTorchStillRecordsGradients() throws Exception {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLAMA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ModelWeights weights = ModelWeights.random(config, m, 2, 0.1);
            TrainingStep step = new TrainingStep(
                    new Transformer(config, weights, m),
                    weights.named(),
                    AdamW.standard(weights.named(), m, 0.1),
                    new CausalLmObjective(false),
                    1);
            Throwable[] failure = {null};
            // pooled worker threads start with autograd recording on; the optimizer's in-place updates must not care
            Thread worker = new Thread(() -> {
                try {
                    step.run(List.of(PaddedBatch.of(EXAMPLES, TinyModels.PAD)), 1e-3, new SplittableRandom(1));
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            worker.start();
            worker.join();
            assertThat(failure[0]).isNull();
        }
    }

    @Test
    void theReportSaysWhatTheStepDid() {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLAMA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ModelWeights weights = ModelWeights.random(config, m, 2, 0.1);
            Transformer model = new Transformer(config, weights, m);
            TrainingStep step = new TrainingStep(
                    model, weights.named(), AdamW.standard(weights.named(), m, 0.1), new CausalLmObjective(false), 1);

            TrainingStep.Report r =
                    step.run(List.of(PaddedBatch.of(EXAMPLES, TinyModels.PAD)), 2e-3, new SplittableRandom(1));

            assertThat(r.tokens()).isEqualTo(13);
            assertThat(r.learningRate()).isEqualTo(2e-3);
            assertThat(r.components()).containsOnlyKeys("ce");
            assertThat(r.loss()).isEqualTo(r.components().get("ce"));
            assertThat(r.gradNorm()).isPositive();
            assertThat(r.forwardNanos()).isPositive();
            assertThat(r.backwardNanos()).isPositive();
            assertThat(r.optimizerNanos()).isPositive();
            // a character model at random init is near uniform over its vocabulary
            assertThat(r.loss()).isBetween(Math.log(TinyModels.VOCAB) - 1, Math.log(TinyModels.VOCAB) + 1);
        }
    }

    @Test
    void aRightPaddedRowSeesOnlyItsOwnTokensInABidirectionalModel() {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Transformer model = new Transformer(config, ModelWeights.random(config, m, 8, 0.2), m);
            TrainingExample shortOne = EXAMPLES.get(0);
            PaddedBatch alone = PaddedBatch.of(List.of(shortOne), TinyModels.PAD);
            PaddedBatch padded = PaddedBatch.of(List.of(shortOne, EXAMPLES.get(1)), TinyModels.PAD);

            float[] expected = model.forward(alone.idsArray(m)).toFloatArray(); // (1, 6, V)
            float[] batched = model.forward(
                            padded.idsArray(m),
                            padded.attentionMask(m),
                            null,
                            null,
                            dev.lmlab.core.model.Hooks.NONE,
                            dev.lmlab.core.model.HookSite.PROMPT)
                    .toFloatArray(); // (2, 7, V): row 0 is padded by one

            assertThat(padded.padded()).isTrue();
            int v = TinyModels.VOCAB;
            for (int i = 0; i < expected.length; i++) {
                assertThat(batched[i]).as("logit %d of the padded row", i).isCloseTo(expected[i], within(1e-4f));
            }
            assertThat(alone.attentionMask(m))
                    .as("no mask when nothing is padded")
                    .isNull();
            assertThat(v).isEqualTo(config.vocabSize());
        }
    }

    private static int resources(NDManager m) throws Exception {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(m)).size();
    }
}

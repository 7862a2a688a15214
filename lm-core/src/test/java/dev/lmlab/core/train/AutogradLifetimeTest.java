package dev.lmlab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.model.Transformer;
import dev.lmlab.core.tiny.TinyModels;
import dev.lmlab.core.train.TrajectoryObjective.RankForm;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whatever autograd keeps for the backward pass must stay valid however long the pass takes to come: here the
 * garbage collector runs between forward and backward and freed native memory is overwritten with NaN bytes, and
 * the gradients must equal those of an undisturbed pass. (DJL's number operands live in direct buffers it closes
 * at once; see {@code Scalars}.)
 */
class AutogradLifetimeTest {

    static final List<TrainingExample> ROWS = List.of(
            new TrainingExample(new long[] {1, 40, 41}, new long[] {50, 51, 52, 53}, new int[] {1, 0, 3, 2}),
            new TrainingExample(new long[] {1, 42}, new long[] {54, 55, 56}, new int[] {0, 2, 1}));

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        for (Objective objective : List.of(
                new TrajectoryObjective(TinyModels.MASK, 2, 1.5, RankForm.LOGISTIC, 0.7, 0),
                new TrajectoryObjective(TinyModels.MASK, 2, 1.0, RankForm.HINGE, 1, 0.2),
                new MaskedDiffusionObjective(TinyModels.MASK, true))) {
            float[] calm = gradient(objective, false);
            float[] disturbed = gradient(objective, true);
            assertThat(disturbed).as(objective.name()).containsExactly(calm);
        }
    }

    private static float[] gradient(Objective objective, boolean disturb) throws Exception {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ModelWeights weights = ModelWeights.random(config, m, 4, 0.2);
            Transformer model = new Transformer(config, weights, m);
            Map<String, NDArray> parameters = weights.named();
            Gradients.track(parameters);
            try (NDManager scope = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossTerms terms =
                        objective.loss(model, PaddedBatch.of(ROWS, TinyModels.PAD), new SplittableRandom(9), scope);
                List<ByteBuffer> scribble = new ArrayList<>();
                if (disturb) {
                    for (int round = 0; round < 3; round++) {
                        System.gc();
                        Thread.sleep(50); // the cleaner thread frees collected direct buffers
                        for (int i = 0; i < 2000; i++) {
                            ByteBuffer b = ByteBuffer.allocateDirect(4 + i % 64);
                            while (b.hasRemaining()) {
                                b.put((byte) 0xFF); // NaN in any float it lands in
                            }
                            scribble.add(b);
                        }
                    }
                }
                gc.backward(terms.loss().mul(dev.lmlab.core.model.Scalars.of(terms.loss(), 1)));
                assertThat(scribble.size()).isEqualTo(disturb ? 6000 : 0);
            }
            return parameters
                    .get("model.transformer.blocks.0.q_proj.weight")
                    .getGradient()
                    .toFloatArray();
        }
    }
}

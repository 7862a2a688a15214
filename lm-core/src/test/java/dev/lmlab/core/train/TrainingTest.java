package dev.lmlab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lmlab.core.checkpoint.CheckpointWriter;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.model.Transformer;
import dev.lmlab.core.tiny.TinyModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    @TempDir
    Path dir;

    static final long[] SEQ = {1, 10, 11, 12, 13, 14, 15, 16, 17, 2};

    @Test
    void crossEntropyCountsOnlyTheResponseAndMatchesAHandComputation() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // V = 3, one row of 3 tokens; position 0 predicts token 1, position 1 predicts token 2
            NDArray logits = m.create(new float[] {0, 1, 2, 2, 0, 0, 5, 5, 5}, new Shape(1, 3, 3));
            NDArray ids = m.create(new long[] {0, 2, 0}, new Shape(1, 3));
            NDArray responseOnly = m.create(new long[] {0, 0, 1}, new Shape(1, 3));
            NDArray all = m.create(new long[] {1, 1, 1}, new Shape(1, 3));

            double nll1 = -(2 - Math.log(Math.exp(0) + Math.exp(1) + Math.exp(2)));
            double nll2 = -(2 - Math.log(Math.exp(2) + 2));
            assertThat(Losses.nextTokenCrossEntropy(logits, ids, responseOnly).getFloat())
                    .isCloseTo((float) nll2, Offset.offset(1e-5f));
            assertThat(Losses.nextTokenCrossEntropy(logits, ids, all).getFloat())
                    .isCloseTo((float) ((nll1 + nll2) / 2), Offset.offset(1e-5f));
        }
    }

    @Test
    void theNelboNeverMasksThePromptAndWeightsByTheMaskingRate() {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Transformer model = new Transformer(config, ModelWeights.random(config, m, 3, 0.1), m);
            NDArray ids = m.create(SEQ, new Shape(1, SEQ.length));
            NDArray response = m.create(new long[] {0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, new Shape(1, SEQ.length));
            for (int seed = 0; seed < 20; seed++) {
                Losses.Nelbo nelbo =
                        Losses.maskedDiffusionNelbo(model, ids, response, TinyModels.MASK, new SplittableRandom(seed));
                long[] noisy = nelbo.noisyIds().toLongArray();
                for (int i = 0; i < 4; i++) {
                    assertThat(noisy[i]).isEqualTo(SEQ[i]);
                }
                assertThat(nelbo.loss().getFloat()).isFinite().isGreaterThanOrEqualTo(0f);
            }
        }
    }

    @Test
    void adamWMatchesTheUpdateRuleOnAScalar() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(new float[] {1f, 2f}, new Shape(1, 2));
            Map<String, NDArray> params = Map.of("w", w);
            Gradients.track(params);
            AdamW adam = new AdamW(params, m, 0.9, 0.999, 1e-8, 0.1);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(w.square().sum()); // gradient 2w
            }

            adam.step(0.01);

            // step 1: m̂ = g, v̂ = g², update = lr · g/(|g| + ε) = lr · sign(g); decay lr·wd·w first
            float[] expected = {1f - 0.01f * 0.1f * 1f - 0.01f, 2f - 0.01f * 0.1f * 2f - 0.01f};
            assertThat(w.toFloatArray()[0]).isCloseTo(expected[0], Offset.offset(1e-6f));
            assertThat(w.toFloatArray()[1]).isCloseTo(expected[1], Offset.offset(1e-6f));
        }
    }

    @Test
    void warmupThenCosineDecay() {
        LearningRate lr = new LearningRate(1e-3, 10, 110, 0.1);

        assertThat(lr.at(0)).isCloseTo(1e-4, Offset.offset(1e-12));
        assertThat(lr.at(9)).isCloseTo(1e-3, Offset.offset(1e-12));
        assertThat(lr.at(60)).isCloseTo(1e-3 * (0.1 + 0.9 * 0.5), Offset.offset(1e-12));
        assertThat(lr.at(110)).isCloseTo(1e-4, Offset.offset(1e-12));
        assertThat(lr.at(500)).isCloseTo(1e-4, Offset.offset(1e-12));
    }

    @Test
    void clippingCapsTheGlobalNormAndAccumulationEqualsTheLargerBatch() {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLAMA, TinyModels.Size.TINY);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ModelWeights weights = ModelWeights.random(config, m, 5, 0.1);
            Transformer model = new Transformer(config, weights, m);
            Map<String, NDArray> params = weights.named();
            Gradients.track(params);
            NDArray a = m.create(SEQ, new Shape(1, SEQ.length));
            NDArray b = m.create(new long[] {1, 20, 21, 22, 23, 24, 25, 26, 27, 2}, new Shape(1, SEQ.length));
            NDArray both = m.create(concat(a.toLongArray(), b.toLongArray()), new Shape(2, SEQ.length));
            NDArray ones = m.ones(new Shape(2, SEQ.length)).toType(ai.djl.ndarray.types.DataType.INT64, false);
            NDArray one = m.ones(new Shape(1, SEQ.length)).toType(ai.djl.ndarray.types.DataType.INT64, false);

            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Losses.nextTokenCrossEntropy(model.forward(both), both, ones));
            }
            float[] full = params.get("model.layers.0.mlp.up_proj.weight")
                    .getGradient()
                    .toFloatArray();
            Gradients.zero(params);
            for (NDArray micro : new NDArray[] {a, b}) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(Losses.nextTokenCrossEntropy(model.forward(micro), micro, one));
                }
            }
            Gradients.scale(params, 0.5);
            float[] accumulated = params.get("model.layers.0.mlp.up_proj.weight")
                    .getGradient()
                    .toFloatArray();

            for (int i = 0; i < full.length; i += 97) {
                assertThat(accumulated[i]).isCloseTo(full[i], Offset.offset(1e-5f));
            }
            double before = Gradients.clip(params, 0.01);
            assertThat(before).isGreaterThan(0.01);
            assertThat(Gradients.norm(params)).isCloseTo(0.01, Offset.offset(1e-4));
        }
    }

    @Test
    void aFewStepsOfTrainingLowerTheLossAndTheSavedCheckpointReloadsToTheSameLogits() {
        Path source = dir.resolve("init");
        TinyModels.write(source, ModelConfig.Family.QWEN2, TinyModels.Size.TINY, 11, 0.1);
        Path saved = dir.resolve("trained");
        NDArray before;
        float first;
        float last = 0;
        try (LanguageModel model = LanguageModel.load(source, Device.cpu());
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = model.transformer().weights().named();
            Gradients.track(params);
            AdamW adam = AdamW.standard(params, model.manager(), 0.01);
            NDArray ids = m.create(SEQ, new Shape(1, SEQ.length));
            NDArray mask = m.ones(new Shape(1, SEQ.length)).toType(ai.djl.ndarray.types.DataType.INT64, false);
            first = loss(model, ids, mask).getFloat();
            for (int step = 0; step < 30; step++) {
                try (NDManager scope = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = loss(model, ids, mask);
                    loss.attach(scope);
                    gc.backward(loss);
                    last = loss.getFloat();
                }
                Gradients.clip(params, 1.0);
                adam.step(3e-3);
                Gradients.zero(params);
            }
            before = model.transformer().forward(ids);
            before.attach(m);
            float[] expected = before.toFloatArray();
            CheckpointWriter.save(model.config(), params, source, saved);

            try (LanguageModel reloaded = LanguageModel.load(saved, Device.cpu())) {
                float[] again = reloaded.transformer().forward(ids).toFloatArray();
                assertThat(again).containsExactly(expected);
            }
        }
        assertThat(last).isLessThan(first * 0.5f);
    }

    private static NDArray loss(LanguageModel model, NDArray ids, NDArray mask) {
        return Losses.nextTokenCrossEntropy(model.transformer().forward(ids), ids, mask);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

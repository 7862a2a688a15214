package dev.lmlab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tiny.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seed and data give the same loss curve, bit for bit, also for the second job a long-lived process
 * runs. Guards against advanced indexing's backward, which accumulates the embedding's gradient in a
 * nondeterministic order once the batch is large enough (the lookup is {@code torch.embedding}, whose backward does
 * not). The other cause of drift found with it, number operands freed before backward, has AutogradLifetimeTest.
 */
class DeterminismTest {

    static final TinyModels.Size SIZE = new TinyModels.Size(128, 4, 4, 4, 32, 352, 64);

    @Test
    void twoRunsInOneProcessDrawTheSameCurveEvenAfterOtherTensorsWereFreed() {
        float[] first = curve(); // loaded from the same checkpoint each time, as jobs load their base
        try (NDManager junk = NDManager.newBaseManager("PyTorch")) {
            // freed heap blocks full of non-zero values, of the sizes gradient buffers take (below malloc's mmap
            // threshold, so they are reused rather than handed back to the system as zero pages)
            for (int i = 0; i < 400; i++) {
                junk.randomNormal(new Shape(64 + i % 64, 128)).muli(1e3);
            }
        }
        float[] second = curve();

        assertThat(second).containsExactly(first);
    }

    @TempDir
    static Path dir;

    static Path folder;

    @BeforeAll
    static void checkpoint() {
        folder = dir.resolve("llada-128");
        TinyModels.write(folder, ModelConfig.Family.LLADA, SIZE, 1, 0.02);
    }

    private static float[] curve() {
        List<TrainingExample> rows = new ArrayList<>();
        SplittableRandom data = new SplittableRandom(3);
        for (int r = 0; r < 32; r++) {
            long[] ids = new long[20 + data.nextInt(40)]; // ragged: rows are padded
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 7 + data.nextInt(TinyModels.VOCAB - 7);
            }
            rows.add(TrainingExample.of(new long[0], ids));
        }
        PaddedBatch batch = PaddedBatch.of(rows, TinyModels.PAD);
        try (LanguageModel model = LanguageModel.load(folder, Device.cpu())) {
            var weights = model.transformer().weights().named();
            TrainingStep step = new TrainingStep(
                    model.transformer(),
                    weights,
                    AdamW.standard(weights, model.manager(), 0.0),
                    new MaskedDiffusionObjective(TinyModels.MASK, false),
                    1.0);
            float[] losses = new float[25];
            for (int s = 0; s < losses.length; s++) {
                losses[s] = (float)
                        step.run(List.of(batch), 2e-3, new SplittableRandom(s)).loss();
            }
            return losses;
        }
    }
}

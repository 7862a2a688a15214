package dev.lmlab.core.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initialisation, dead-latent tracking, configuration checks and native memory of the trainer. */
class TopKSaeTrainerTest {

    @TempDir
    Path dir;

    @Test
    void theEncoderStartsAsTheDecodersTransposeWithUnitRows() {
        TopKSaeConfig config = TopKSaeConfig.defaults(5, 7, 2).withSeed(42);
        float[][] sample = TopKSaeGradientTest.rows(16, 5, 1);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer a = TopKSaeTrainer.create(config, m, sample);
                TopKSaeTrainer same = TopKSaeTrainer.create(config, m, sample);
                TopKSaeTrainer other = TopKSaeTrainer.create(config.withSeed(43), m, sample)) {
            float[] wEnc = a.weight("W_enc"); // (5, 7)
            float[] wDec = a.weight("W_dec"); // (7, 5)
            for (int s = 0; s < 7; s++) {
                double norm = 0;
                for (int j = 0; j < 5; j++) {
                    assertThat(wEnc[j * 7 + s]).isEqualTo(wDec[s * 5 + j]);
                    norm += wDec[s * 5 + j] * wDec[s * 5 + j];
                }
                assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-6));
            }
            assertThat(a.weight("b_enc")).containsOnly(0f);
            assertThat(same.weight("W_dec")).as("seeded").containsExactly(wDec);
            assertThat(other.weight("W_dec")).isNotEqualTo(wDec);
        }
    }

    @Test
    void theGeometricMedianIgnoresOutliersTheMeanFollows() {
        // 80 rows near (1, 2, 3, 4), 20 rows far out at +100 in every dimension
        Random r = new Random(3);
        float[][] sample = new float[100][4];
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 4; j++) {
                sample[i][j] = (float) ((j + 1) + 0.1 * r.nextGaussian() + (i < 80 ? 0 : 100));
            }
        }
        double[] median = Centres.geometricMedian(sample);
        double[] mean = Centres.mean(sample);
        for (int j = 0; j < 4; j++) {
            assertThat(median[j]).as("median[%d]", j).isCloseTo(j + 1, within(0.1));
            assertThat(mean[j]).as("mean[%d]", j).isCloseTo(j + 21, within(0.1));
        }

        // and the trainer starts b_dec there, or at the mean when asked
        TopKSaeConfig config = TopKSaeConfig.defaults(4, 8, 2);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer byMedian = TopKSaeTrainer.create(config, m, sample);
                TopKSaeTrainer byMean = TopKSaeTrainer.create(config.withBDecInit(TopKSaeConfig.MEAN), m, sample)) {
            for (int j = 0; j < 4; j++) {
                assertThat(byMedian.weight("b_dec")[j]).isCloseTo((float) median[j], within(1e-5f));
                assertThat(byMean.weight("b_dec")[j]).isCloseTo((float) mean[j], within(1e-5f));
            }
        }
    }

    /**
     * d_in 2, d_sae 3, k 1: latents 0 and 1 read e0 and e1; latent 2 reads 0.1·(e0 + e1), positive on every row
     * but never the largest, so it never fires. It must count as dead exactly when dead_after_tokens is reached,
     * and from then on AuxK trains it: its decoder row moves, where before no gradient reached it.
     */
    @Test
    void aLatentThatNeverFiresDiesOnScheduleAndAuxKTrainsIt() throws Exception {
        float[] wEnc = {1, 0, 0.1f, 0, 1, 0.1f};
        float s2 = (float) Math.sqrt(0.5);
        float[] wDec = {1, 0, 0, 1, s2, s2};
        Path folder = SaeFolders.write(dir.resolve("sae"), 2, 3, 1, wEnc, wDec, new float[3], new float[2]);
        TopKSaeConfig config = new TopKSaeConfig(2, 3, 1, 4, 1.0 / 32, 32, 1e-2, TopKSaeConfig.MEAN, 0);
        Random r = new Random(5);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.fromWeights(config, m, folder)) {
            for (int step = 1; step <= 4; step++) {
                float[][] batch = new float[8][];
                for (int i = 0; i < 8; i++) {
                    batch[i] = new float[] {0.5f + r.nextFloat(), 0.5f + r.nextFloat()};
                }
                TopKSaeTrainer.StepStats stats = trainer.step(batch);
                float[] row2 = java.util.Arrays.copyOfRange(trainer.weight("W_dec"), 4, 6);
                assertThat(trainer.tokensSinceFired()[2]).isEqualTo(8L * step);
                if (step < 4) {
                    // 8, 16, 24 tokens: alive, and nothing has moved it
                    assertThat(stats.deadFraction()).as("step %d", step).isZero();
                    assertThat(stats.auxLoss()).isZero();
                    assertThat(row2).as("step %d", step).containsExactly(new float[] {s2, s2}, within(1e-6f));
                } else {
                    // 32 tokens: dead, and AuxK models the residual with it in this very step
                    assertThat(stats.deadFraction()).isCloseTo(1.0 / 3, within(1e-12));
                    assertThat(stats.auxLoss()).isPositive();
                    assertThat(stats.loss()).isCloseTo(stats.fvu() + stats.auxLoss() / 32, within(1e-5));
                    assertThat(Math.abs(row2[0] - s2) + Math.abs(row2[1] - s2)).isGreaterThan(1e-3f);
                    assertThat(row2[0] * row2[0] + row2[1] * row2[1]).isCloseTo(1f, within(1e-6f));
                }
            }
        }
    }

    @Test
    void badConfigurationsAndBatchesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TopKSaeConfig.defaults(8, 16, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k must be in 1..d_sae-1 = 1..15, got 16");
        assertThatThrownBy(() -> TopKSaeConfig.defaults(8, 16, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k must be in 1..d_sae-1");
        assertThatThrownBy(() -> TopKSaeConfig.defaults(0, 16, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("d_in must be positive, got 0");
        assertThatThrownBy(() -> TopKSaeConfig.defaults(8, 16, 4).withBDecInit("median"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'geometric_median' or 'mean'");
        assertThatThrownBy(() -> TopKSaeConfig.defaults(8, 16, 4).withLearningRate(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learning rate");
        assertThatThrownBy(() -> TopKSaeConfig.defaults(8, 16, 4).withAux(-1, 0.1, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k_aux");
        assertThat(TopKSaeConfig.defaults(8, 16, 4).kAux()).isEqualTo(4);
        assertThat(TopKSaeConfig.defaults(4096, 16, 4).kAux()).isEqualTo(512);
        assertThat(TopKSaeConfig.defaults(8, 16384, 4).learningRate()).isEqualTo(2e-4);

        TopKSaeConfig config = TopKSaeConfig.defaults(3, 6, 2);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThatThrownBy(() -> TopKSaeTrainer.create(config, m, new float[][] {{1, 2}}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("row 0 of the initial sample has 2 values, but d_in is 3");
            try (TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, new float[][] {{1, 2, 3}, {2, 1, 0}})) {
                assertThatThrownBy(() -> trainer.step(new float[][] {{1, 2, 3}, {1, 2, 3, 4}}))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("row 1 of the batch has 4 values, but d_in is 3");
                assertThatThrownBy(() -> trainer.step(new float[][] {{1, 2, 3}}))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("no variance");
                assertThatThrownBy(() -> trainer.step(new float[0][]))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("has no rows");
                assertThatThrownBy(() -> trainer.save(dir.resolve("x"), Map.of("d_sae", 3)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'d_sae'");
                assertThat(trainer.steps()).isZero();
            }
        }
    }

    @Test
    void stepsLeaveNoArraysBehind() throws Exception {
        // dead after one batch, so AuxK runs in every step too
        TopKSaeConfig config = new TopKSaeConfig(8, 64, 2, 4, 1.0 / 32, 16, 1e-3, TopKSaeConfig.MEAN, 1);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, TopKSaeGradientTest.rows(16, 8, 1))) {
            TopKSaeTrainer.StepStats first = trainer.step(TopKSaeGradientTest.rows(16, 8, 2));
            int after = resources(trainer.manager());
            for (int i = 0; i < 5; i++) {
                trainer.step(TopKSaeGradientTest.rows(16, 8, 3 + i));
                trainer.evaluate(TopKSaeGradientTest.rows(16, 8, 3 + i));
            }
            assertThat(resources(trainer.manager())).isEqualTo(after);
            assertThat(first.deadFraction()).isPositive();
            assertThat(trainer.lastPhases().totalNanos()).isPositive();
        }
    }

    static int resources(NDManager m) throws Exception {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(m)).size();
    }
}

package dev.lmlab.core.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Training end to end: a planted dictionary is found, saved SAEs load for inference, resumed runs continue exactly. */
class TopKSaeTrainingTest {

    static final int D = 32;
    static final int ATOMS = 64;

    @TempDir
    Path dir;

    /** Data from a known sparse dictionary: each row an offset plus 3 random unit atoms with weights in [0.5, 1.5]. */
    static final class Planted {
        final float[][] atoms = new float[ATOMS][D];
        final float[] offset = new float[D];
        final Random random;

        Planted(long seed) {
            random = new Random(seed);
            for (float[] atom : atoms) {
                double norm = 0;
                for (int j = 0; j < D; j++) {
                    atom[j] = (float) random.nextGaussian();
                    norm += atom[j] * atom[j];
                }
                for (int j = 0; j < D; j++) {
                    atom[j] /= (float) Math.sqrt(norm);
                }
            }
            for (int j = 0; j < D; j++) {
                offset[j] = (float) (0.5 * random.nextGaussian());
            }
        }

        float[][] rows(int n) {
            float[][] out = new float[n][D];
            for (float[] row : out) {
                System.arraycopy(offset, 0, row, 0, D);
                int a = random.nextInt(ATOMS);
                int b;
                int c;
                do {
                    b = random.nextInt(ATOMS);
                } while (b == a);
                do {
                    c = random.nextInt(ATOMS);
                } while (c == a || c == b);
                for (int atom : new int[] {a, b, c}) {
                    float w = 0.5f + random.nextFloat();
                    for (int j = 0; j < D; j++) {
                        row[j] += w * atoms[atom][j];
                    }
                }
                for (int j = 0; j < D; j++) {
                    row[j] += (float) (0.01 * random.nextGaussian());
                }
            }
            return out;
        }
    }

    @Test
    void aPlantedSparseDictionaryIsRecovered() {
        Planted data = new Planted(17);
        TopKSaeConfig config = TopKSaeConfig.defaults(D, 128, 3)
                .withLearningRate(3e-3)
                .withAux(16, 1.0 / 32, 20_000)
                .withSeed(1);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, data.rows(2048))) {
            double startFvu = trainer.evaluate(data.rows(4096)).fvu();
            long start = System.nanoTime();
            for (int step = 0; step < 3000; step++) {
                trainer.step(data.rows(256));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            TopKSaeTrainer.Evaluation e = trainer.evaluate(data.rows(4096));

            float[] wDec = trainer.weight("W_dec");
            int recovered = 0;
            for (float[] atom : data.atoms) {
                double best = 0;
                for (int s = 0; s < 128; s++) {
                    double cos = 0;
                    for (int j = 0; j < D; j++) {
                        cos += atom[j] * wDec[s * D + j];
                    }
                    best = Math.max(best, cos);
                }
                recovered += best > 0.9 ? 1 : 0;
            }
            System.out.printf(
                    "planted: FVU %.4f → %.4f, EV %.4f, L0 %.2f, dead %.3f, %d/%d atoms, %.1f s%n",
                    startFvu, e.fvu(), e.explainedVariance(), e.l0(), e.deadFraction(), recovered, ATOMS, seconds);
            assertThat(startFvu).isGreaterThan(0.5);
            assertThat(e.fvu()).isLessThan(0.1);
            assertThat(e.explainedVariance()).isGreaterThan(0.9);
            assertThat(e.l0()).isLessThanOrEqualTo(3.0);
            assertThat(recovered).as("atoms with a decoder row at cosine > 0.9").isGreaterThanOrEqualTo(52);
        }
    }

    @Test
    void aSavedSaeLoadsForInferenceAndReconstructsAsTheTrainerDoes() throws Exception {
        Planted data = new Planted(5);
        TopKSaeConfig config = TopKSaeConfig.defaults(D, 96, 4).withLearningRate(1e-3);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.create(config, m, data.rows(512))) {
            for (int step = 0; step < 20; step++) {
                trainer.step(data.rows(64));
            }
            Path folder = dir.resolve("saes/layer3");
            trainer.save(folder, Map.of("hook_name", "blocks.3.hook_resid_post", "model_name", "tiny"));
            trainer.save(folder, Map.of("hook_name", "blocks.3.hook_resid_post", "model_name", "tiny")); // replaces

            JsonNode cfg = JsonMapper.shared().readTree(Files.readString(folder.resolve("cfg.json")));
            assertThat(cfg.get("architecture").asString()).isEqualTo("topk");
            assertThat(cfg.get("d_in").asInt()).isEqualTo(D);
            assertThat(cfg.get("d_sae").asInt()).isEqualTo(96);
            assertThat(cfg.get("k").asInt()).isEqualTo(4);
            assertThat(cfg.get("activation_fn_kwargs").get("k").asInt()).isEqualTo(4);
            assertThat(cfg.get("apply_b_dec_to_input").asBoolean()).isTrue();
            assertThat(cfg.get("dtype").asString()).isEqualTo("float32");
            assertThat(cfg.get("normalize_activations").asString()).isEqualTo("none");
            assertThat(cfg.get("model_name").asString()).isEqualTo("tiny");
            try (var files = Files.list(folder.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("layer3");
            }

            float[][] rows = data.rows(50);
            float[][] expected = trainer.reconstruct(rows);
            try (SparseAutoencoder sae = SparseAutoencoder.load(folder, m);
                    NDManager scope = m.newSubManager()) {
                assertThat(sae.hookName()).isEqualTo("blocks.3.hook_resid_post");
                assertThat(sae.k()).isEqualTo(4);
                NDArray x = scope.create(SaeFolders.flat(rows), new Shape(50, D));
                float[] actual = sae.reconstruct(x).toFloatArray();
                for (int i = 0; i < 50; i++) {
                    for (int j = 0; j < D; j++) {
                        assertThat(actual[i * D + j]).isCloseTo(expected[i][j], within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void aResumedRunContinuesExactlyAsAnUninterruptedOne() throws Exception {
        Planted data = new Planted(9);
        float[][] sample = data.rows(512);
        float[][][] batches = new float[12][][];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = data.rows(64);
        }
        // latents die within a few batches, so AuxK and the tracker are part of what must carry over
        TopKSaeConfig config =
                TopKSaeConfig.defaults(D, 96, 3).withLearningRate(3e-3).withAux(8, 1.0 / 32, 128);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] straightDec;
            float[] straightEnc;
            float[] straightBDec;
            long[] straightSince;
            TopKSaeTrainer.StepStats straightLast = null;
            try (TopKSaeTrainer straight = TopKSaeTrainer.create(config, m, sample)) {
                for (float[][] batch : batches) {
                    straightLast = straight.step(batch);
                }
                straightDec = straight.weight("W_dec");
                straightEnc = straight.weight("W_enc");
                straightBDec = straight.weight("b_dec");
                straightSince = straight.tokensSinceFired();
            }

            Path folder = dir.resolve("sae");
            Path state = dir.resolve("sae-state.safetensors");
            try (TopKSaeTrainer first = TopKSaeTrainer.create(config, m, sample)) {
                for (int i = 0; i < 6; i++) {
                    first.step(batches[i]);
                }
                first.save(folder, Map.of());
                first.saveState(state);
            }
            try (TopKSaeTrainer resumed = TopKSaeTrainer.resume(config, m, folder, state)) {
                assertThat(resumed.steps()).isEqualTo(6);
                assertThat(resumed.tokensSeen()).isEqualTo(6 * 64);
                TopKSaeTrainer.StepStats last = null;
                for (int i = 6; i < 12; i++) {
                    last = resumed.step(batches[i]);
                }
                assertThat(last).isEqualTo(straightLast);
                assertThat(straightLast.deadFraction()).isPositive();
                assertThat(resumed.weight("W_dec")).containsExactly(straightDec);
                assertThat(resumed.weight("W_enc")).containsExactly(straightEnc);
                assertThat(resumed.weight("b_dec")).containsExactly(straightBDec);
                assertThat(resumed.tokensSinceFired()).containsExactly(straightSince);
            }
        }
    }
}

package dev.lmlab.core.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass and both losses on a case small enough to work out by hand: d_in 3, d_sae 4, k 2.
 *
 * <pre>
 *   W_enc columns (encoder directions): e0, e1, e2, e0 + e1       b_enc = (0, 0, 0, −1.5)
 *   W_dec rows:                         e0, e1, e2, (0.6, 0.8, 0)  b_dec = (1, 2, 3)
 *
 *   x = (4, 3, 2): x − b_dec = (3, 1, −1), pre = (3, 1, −1, 2.5) → latents 0 and 3
 *                  x̂ = 3·e0 + 2.5·(0.6, 0.8, 0) + b_dec = (5.5, 4, 3), ‖x − x̂‖² = 4.25
 *   x = (1, 5, 3): x − b_dec = (0, 3, 0),  pre = (0, 3, 0, 1.5)    → latents 1 and 3
 *                  x̂ = 3·e1 + 1.5·(0.6, 0.8, 0) + b_dec = (1.9, 6.2, 3), ‖x − x̂‖² = 2.25
 *   x = (1, 2, 5): x − b_dec = (0, 0, 2),  pre = (0, 0, 2, −1.5)   → latent 2 (the runner-up is 0: ReLU drops it)
 *                  x̂ = (1, 2, 5), exact
 * </pre>
 *
 * Without subtracting b_dec from the input the first row would pick latents 3 and 0 with other values, so these
 * numbers also pin that step.
 */
class TopKSaeMathTest {

    /** (d_in, d_sae): column s is latent s's encoder direction. */
    static final float[] W_ENC = SaeFolders.flat(new float[][] {
        {1, 0, 0, 1},
        {0, 1, 0, 1},
        {0, 0, 1, 0}
    });
    /** (d_sae, d_in): row s is latent s's decoder direction. */
    static final float[] W_DEC = SaeFolders.flat(new float[][] {
        {1, 0, 0},
        {0, 1, 0},
        {0, 0, 1},
        {0.6f, 0.8f, 0}
    });

    static final float[] B_DEC = {1, 2, 3};
    static final float[][] ROWS = {{4, 3, 2}, {1, 5, 3}, {1, 2, 5}};

    @TempDir
    Path dir;

    static TopKSaeConfig config(long deadAfterTokens) {
        return new TopKSaeConfig(3, 4, 2, 4, 1.0 / 32, deadAfterTokens, 1e-3, TopKSaeConfig.MEAN, 0);
    }

    @Test
    void forwardAndFvuMatchTheHandComputedCase() throws Exception {
        Path folder = SaeFolders.write(dir.resolve("sae"), 3, 4, 2, W_ENC, W_DEC, new float[] {0, 0, 0, -1.5f}, B_DEC);
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.fromWeights(config(1_000_000), m, folder)) {
            float[][] xHat = trainer.reconstruct(ROWS);
            assertThat(xHat[0]).containsExactly(new float[] {5.5f, 4, 3}, within(1e-6f));
            assertThat(xHat[1]).containsExactly(new float[] {1.9f, 6.2f, 3}, within(1e-6f));
            assertThat(xHat[2]).containsExactly(new float[] {1, 2, 5}, within(1e-6f));

            // Σ‖x − mean‖² = 46/3 (mean (2, 10/3, 10/3)); Σ‖x − x̂‖² = 6.5
            TopKSaeTrainer.Evaluation e = trainer.evaluate(ROWS);
            assertThat(e.fvu()).isCloseTo(6.5 / (46.0 / 3), within(1e-6));
            assertThat(e.mse()).isCloseTo(6.5 / 9, within(1e-6));
            assertThat(e.l0()).isCloseTo(5.0 / 3, within(1e-9));
            // residual variances per dimension (×3): 1.14, 0.8267, 0.6667 → 7.9/3 against 46/3
            assertThat(e.explainedVariance()).isCloseTo(1 - 7.9 / 46, within(1e-6));
            assertThat(e.firingCounts()).containsExactly(1, 1, 1, 2);
            assertThat(e.denseFraction()).isEqualTo(1.0);
            assertThat(e.deadFraction()).isZero();

            // the step reports the loss of the batch before its update: FVU alone, nothing is dead yet
            TopKSaeTrainer.StepStats s = trainer.step(ROWS);
            assertThat(s.fvu()).isCloseTo(6.5 / (46.0 / 3), within(1e-6));
            assertThat(s.loss()).isEqualTo(s.fvu());
            assertThat(s.auxLoss()).isZero();
            assertThat(s.l0()).isCloseTo(5.0 / 3, within(1e-9));
            assertThat(s.step()).isEqualTo(1);
            assertThat(s.tokensSeen()).isEqualTo(3);
        }
    }

    /**
     * Regression: AuxK reconstructs the residual e = x − x̂ with the dead latents' decoder rows alone. Adding b_dec
     * to ê (as two popular libraries do) reconstructs a point instead of a difference.
     *
     * <pre>
     *   b_enc = (0, 0, 0.5, −1.5), rows (4, 3, 2) and (1, 5, 3): latent 2 never makes the top 2, so with
     *   dead_after_tokens = 2 it is dead once this batch is counted (k_aux 4 is capped at the one dead latent).
     *   aux pre-activations of latent 2: −0.5 and 0.5 → z_aux = 0 and 0.5
     *   e = (−1.5, −1, −1), (−0.9, −1.2, 0);  ê = 0, (0, 0, 0.5)
     *   ‖e − ê‖² = 4.25 + 2.5 = 6.75;  ‖e − mean(e)‖² = 0.35 + 0.35 = 0.7  → aux = 6.75 / 0.7
     *   with b_dec added: ê = (1, 2, 3), (1, 2, 3.5) → ‖e − ê‖² = 31.25 + 26.1 → aux = 57.35 / 0.7
     * </pre>
     */
    @Test
    void auxLossReconstructsTheResidualWithoutBDec() throws Exception {
        Path folder =
                SaeFolders.write(dir.resolve("sae"), 3, 4, 2, W_ENC, W_DEC, new float[] {0, 0, 0.5f, -1.5f}, B_DEC);
        float[][] batch = {ROWS[0], ROWS[1]};
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.fromWeights(config(2), m, folder)) {
            TopKSaeTrainer.StepStats s = trainer.step(batch);

            double expected = 6.75 / 0.7;
            double withBDec = 57.35 / 0.7;
            assertThat(s.auxLoss()).isCloseTo(expected, within(1e-5 * expected));
            assertThat(Math.abs(s.auxLoss() - withBDec)).isGreaterThan(50.0);
            assertThat(s.fvu()).isCloseTo(6.5 / 7, within(1e-6));
            assertThat(s.loss()).isCloseTo(6.5 / 7 + expected / 32, within(1e-5));
            assertThat(s.deadFraction()).isEqualTo(0.25);
            assertThat(trainer.tokensSinceFired()).containsExactly(0, 0, 2, 0);
        }
    }
}

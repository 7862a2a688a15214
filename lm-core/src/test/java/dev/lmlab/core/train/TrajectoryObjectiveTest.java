package dev.lmlab.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.model.Transformer;
import dev.lmlab.core.tiny.TinyModels;
import dev.lmlab.core.train.TrajectoryObjective.RankForm;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TABOM's ranking loss and trajectory states against hand computations. */
class TrajectoryObjectiveTest {

    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        m.close();
    }

    static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    /** Entropies of one row at positions 0..2, unmasked at steps 0, 1, 2: pairs (0,1), (0,2), (1,2). */
    static final float[] H = {0.5f, 1.0f, 0.2f};

    static final List<int[]> POSITIONS = List.of(new int[] {0, 1, 2});
    static final List<int[]> ORDERS = List.of(new int[] {0, 1, 2});

    @Test
    void theLogisticFormIsTheMeanOfMinusLogSigmoidOfTheEntropyGapOverTau() {
        double tau = 0.5;
        TrajectoryObjective tabom = new TrajectoryObjective(TinyModels.MASK, 4, 1, RankForm.LOGISTIC, tau, 0);
        NDArray h = m.create(H, new Shape(1, 3));

        float loss = tabom.rankingLoss(h, POSITIONS, ORDERS).getFloat();

        // −log σ((H_j − H_i)/τ) = softplus(−(H_j − H_i)/τ) for each pair with i decoded first
        double expected =
                (softplus(-(1.0 - 0.5) / tau) + softplus(-(0.2 - 0.5) / tau) + softplus(-(0.2 - 1.0) / tau)) / 3;
        assertThat(loss).isCloseTo((float) expected, Offset.offset(1e-6f));
    }

    @Test
    void theHingeFormPenalisesOnlyPairsOrderedAgainstTheTrajectoryByLessThanTheMargin() {
        TrajectoryObjective tabom = new TrajectoryObjective(TinyModels.MASK, 4, 1, RankForm.HINGE, 1, 0.2);
        NDArray h = m.create(H, new Shape(1, 3));

        float loss = tabom.rankingLoss(h, POSITIONS, ORDERS).getFloat();

        // max(0, H_i − H_j + m): (0,1) 0.5 − 1.0 + 0.2 < 0 → 0; (0,2) 0.5 − 0.2 + 0.2 = 0.5; (1,2) 1.0 − 0.2 + 0.2 =
        // 1.0
        assertThat(loss).isCloseTo((0f + 0.5f + 1.0f) / 3, Offset.offset(1e-6f));
    }

    @Test
    void positionsUnmaskedAtTheSameStepFormNoPairAndRowsArePooled() {
        TrajectoryObjective tabom = new TrajectoryObjective(TinyModels.MASK, 4, 1, RankForm.HINGE, 1, 0.2);
        // row 0: steps (0, 0, 1) → pairs (0,2), (1,2); row 1 (padded to 3 wide): positions 1, 2 at steps 1, 0 → (2,1)
        NDArray h = m.create(new float[] {0.5f, 1.0f, 0.2f, 9f, 0.3f, 0.4f}, new Shape(2, 3));
        List<int[]> positions = List.of(new int[] {0, 1, 2}, new int[] {1, 2});
        List<int[]> orders = List.of(new int[] {0, 0, 1}, new int[] {1, 0});

        float loss = tabom.rankingLoss(h, positions, orders).getFloat();

        // (0,2): 0.5 − 0.2 + 0.2 = 0.5; (1,2): 1.0 − 0.2 + 0.2 = 1.0; row 1 (2 before 1): 0.4 − 0.3 + 0.2 = 0.3
        assertThat(loss).isCloseTo((0.5f + 1.0f + 0.3f) / 3, Offset.offset(1e-6f));
    }

    @Test
    void gradientsFlowThroughTheEntropiesToTheLogits() {
        TrajectoryObjective tabom = new TrajectoryObjective(TinyModels.MASK, 4, 1, RankForm.LOGISTIC, 0.7, 0);
        float[] values = {0.3f, -1.2f, 0.8f, 0.1f, 2.0f, -0.4f, 0.0f, 0.5f, -0.9f, 1.1f, 0.6f, -0.2f};
        NDArray logits = m.create(values, new Shape(1, 3, 4)); // (B, T, V)
        logits.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(tabom.rankingLoss(Losses.entropy(logits), POSITIONS, ORDERS));
        }
        float[] gradient = logits.getGradient().toFloatArray();

        // central differences of the same loss in double precision
        double eps = 1e-4;
        for (int k = 0; k < values.length; k++) {
            double[] up = toDouble(values);
            double[] down = toDouble(values);
            up[k] += eps;
            down[k] -= eps;
            double numeric = (rankLoss(up, 0.7) - rankLoss(down, 0.7)) / (2 * eps);
            assertThat((double) gradient[k]).as("d loss / d logit %d", k).isCloseTo(numeric, Offset.offset(2e-4));
        }
        assertThat(gradient).as("the ranking term reaches the logits").isNotEqualTo(new float[values.length]);
    }

    /** The ranking loss of {@link #POSITIONS}/{@link #ORDERS} from raw logits (3 positions × 4 classes). */
    private static double rankLoss(double[] logits, double tau) {
        double[] h = new double[3];
        for (int t = 0; t < 3; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < 4; v++) {
                max = Math.max(max, logits[t * 4 + v]);
            }
            double z = 0;
            for (int v = 0; v < 4; v++) {
                z += Math.exp(logits[t * 4 + v] - max);
            }
            for (int v = 0; v < 4; v++) {
                double p = Math.exp(logits[t * 4 + v] - max) / z;
                h[t] -= p * Math.log(p);
            }
        }
        return (softplus(-(h[1] - h[0]) / tau) + softplus(-(h[2] - h[0]) / tau) + softplus(-(h[2] - h[1]) / tau)) / 3;
    }

    @Test
    void aCutMasksWhatIsNotYetDecodedAndWindowsTheNextMSteps() {
        TrainingExample e =
                new TrainingExample(new long[] {20, 21}, new long[] {30, 31, 32, 33, 34}, new int[] {2, 0, 1, 3, 1});

        TrajectoryObjective.Cut cut = TrajectoryObjective.cut(e, 1, 2);

        // visible: unmasked before step 1 (position 1); window: steps 1 and 2 (positions 0, 2, 4)
        assertThat(cut.masked()).containsExactly(true, false, true, true, true);
        assertThat(cut.inWindow()).containsExactly(true, false, true, false, true);
        TrajectoryObjective.Cut all = TrajectoryObjective.cut(e, 0, 100);
        assertThat(all.masked()).containsOnly(true);
        assertThat(all.inWindow()).containsOnly(true);
        assertThat(TrajectoryObjective.cut(e, 3, 1).inWindow()).containsExactly(false, false, false, true, false);
        assertThat(e.trajectorySteps()).isEqualTo(4);
    }

    @Test
    void lambdaZeroIsTrajectoryNelboAndLambdaAddsTheRankTermScaled() {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        Transformer model = new Transformer(config, ModelWeights.random(config, m, 4, 0.2), m);
        PaddedBatch batch = PaddedBatch.of(
                List.of(
                        new TrainingExample(
                                new long[] {1, 40, 41}, new long[] {50, 51, 52, 53}, new int[] {1, 0, 3, 2}),
                        new TrainingExample(new long[] {1, 42}, new long[] {54, 55, 56}, new int[] {0, 2, 1})),
                TinyModels.PAD);

        LossTerms plain =
                TrajectoryObjective.nelboOnly(TinyModels.MASK, 2).loss(model, batch, new SplittableRandom(9), m);
        LossTerms zero = new TrajectoryObjective(TinyModels.MASK, 2, 0, RankForm.HINGE, 1, 0.2)
                .loss(model, batch, new SplittableRandom(9), m);
        LossTerms tabom = new TrajectoryObjective(TinyModels.MASK, 2, 1.5, RankForm.HINGE, 1, 0.2)
                .loss(model, batch, new SplittableRandom(9), m);

        assertThat(zero.loss().getFloat()).isEqualTo(plain.loss().getFloat());
        assertThat(plain.loss().getFloat())
                .isEqualTo(plain.components().get("ce").floatValue());
        assertThat(tabom.components().get("ce")).isEqualTo(plain.components().get("ce"));
        assertThat(tabom.loss().getFloat())
                .isCloseTo(
                        (float) (tabom.components().get("ce")
                                + 1.5 * tabom.components().get("rank")),
                        Offset.offset(1e-5f));
        assertThat(plain.tokens()).isEqualTo(12);
    }

    @Test
    void trainingOnTrajectoriesLowersTheLossAndTheSameSeedGivesTheSameCurve() {
        float[] first = curve(7);
        float[] again = curve(7);

        assertThat(again).containsExactly(first);
        assertThat(first[first.length - 1]).isLessThan(first[0] * 0.6f);
    }

    private float[] curve(long seed) {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        try (NDManager scope = m.newSubManager()) {
            ModelWeights weights = ModelWeights.random(config, scope, 4, 0.1);
            Transformer model = new Transformer(config, weights, scope);
            TrainingStep step = new TrainingStep(
                    model,
                    weights.named(),
                    AdamW.standard(weights.named(), scope, 0.0),
                    new TrajectoryObjective(TinyModels.MASK, 4, 1.0, RankForm.LOGISTIC, 1.0, 0),
                    1.0);
            PaddedBatch batch = PaddedBatch.of(
                    List.of(
                            new TrainingExample(
                                    new long[] {1, 40}, new long[] {50, 51, 52, 53}, new int[] {0, 1, 2, 3}),
                            new TrainingExample(new long[] {1, 41}, new long[] {60, 61, 62}, new int[] {2, 1, 0})),
                    TinyModels.PAD);
            float[] losses = new float[40];
            for (int s = 0; s < losses.length; s++) {
                losses[s] = (float) step.run(List.of(batch), 1e-2, new SplittableRandom(seed * 1000 + s))
                        .loss();
            }
            return losses;
        }
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new TrajectoryObjective(3, 0, 1, RankForm.LOGISTIC, 1, 0))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new TrajectoryObjective(3, 4, 1, RankForm.LOGISTIC, 0, 0))
                .hasMessageContaining("tau");
        assertThatThrownBy(() -> new TrainingExample(new long[] {1}, new long[] {2, 3}, new int[] {0}))
                .hasMessageContaining("decoding order");
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}

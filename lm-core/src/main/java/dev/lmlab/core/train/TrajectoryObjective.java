package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.Scalars;
import dev.lmlab.core.model.Transformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training states cut along self-distilled decoding trajectories, with TABOM's ranking term.
 *
 * <p>Per row a cut step c is drawn uniformly from the trajectory's steps. Response positions unmasked before c
 * stay visible; the rest are masked. The cross-entropy covers the positions unmasked in the window [c, c + M)
 * (what the model was about to decode). TABOM adds that the model's predictive entropies over the window should
 * order the positions as the trajectory did: for each pair i, j in the window with i unmasked before j, the
 * Boltzmann view P(i next) ∝ exp(−Hᵢ/τ) gives {@code −log σ((Hⱼ − Hᵢ)/τ)}, the hinge form {@code max(0, Hᵢ − Hⱼ +
 * m)}. Loss = CE + λ · rank; with λ = 0 this is plain trajectory-NELBO. The entropies keep their gradients.
 *
 * <p>Shapes: B rows, T padded length, V vocabulary, W the largest window in the batch.
 */
public record TrajectoryObjective(long maskTokenId, int window, double lambda, RankForm form, double tau, double margin)
        implements Objective {

    /** The pairwise ranking loss's form. */
    public enum RankForm {
        /** {@code −log σ((Hⱼ − Hᵢ)/τ)}: the Boltzmann (Bradley–Terry) view. */
        LOGISTIC,
        /** {@code max(0, Hᵢ − Hⱼ + m)}. */
        HINGE
    }

    public TrajectoryObjective {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1 step, got " + window);
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
        if (form == RankForm.LOGISTIC && !(tau > 0)) {
            throw new IllegalArgumentException("tau must be > 0 for the logistic form, got " + tau);
        }
        if (form == RankForm.HINGE && !(margin >= 0)) {
            throw new IllegalArgumentException("margin must be >= 0 for the hinge form, got " + margin);
        }
    }

    /** Plain trajectory-NELBO: the same states and CE, no ranking term. */
    public static TrajectoryObjective nelboOnly(long maskTokenId, int window) {
        return new TrajectoryObjective(maskTokenId, window, 0, RankForm.LOGISTIC, 1, 0);
    }

    @Override
    public String name() {
        return lambda == 0 ? "trajectory_nelbo" : "tabom";
    }

    /**
     * A training state on one trajectory.
     *
     * @param step the cut c
     * @param masked per response position: unmasked at step c or later, so hidden from the model
     * @param inWindow per response position: unmasked in [c, c + window), so a CE target and ranked
     */
    public record Cut(int step, boolean[] masked, boolean[] inWindow) {}

    /** The state of {@code example}'s trajectory cut at step {@code c}. */
    public static Cut cut(TrainingExample example, int c, int window) {
        int[] order = example.decodingOrder();
        if (order == null) {
            throw new IllegalArgumentException("a trajectory objective needs a decoding order on every example");
        }
        boolean[] masked = new boolean[order.length];
        boolean[] inWindow = new boolean[order.length];
        for (int k = 0; k < order.length; k++) {
            masked[k] = order[k] >= c;
            inWindow[k] = order[k] >= c && order[k] < c + window;
        }
        return new Cut(c, masked, inWindow);
    }

    @Override
    public LossTerms loss(Transformer model, PaddedBatch batch, SplittableRandom random, NDManager m) {
        int b = batch.rows();
        int t = batch.width();

        // cut every row, mask what is not yet decoded, collect the window positions
        long[] noisy = batch.ids().clone();
        float[] windowMask = new float[b * t];
        List<int[]> windowPositions = new ArrayList<>(b);
        List<int[]> windowOrders = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            TrainingExample e = batch.examples().get(r);
            Cut cut = cut(e, random.nextInt(Math.max(1, e.trajectorySteps())), window);
            int promptLength = batch.promptLengths()[r];
            int[] positions = new int[e.response().length];
            int[] orders = new int[e.response().length];
            int inWindow = 0;
            for (int k = 0; k < e.response().length; k++) {
                int at = r * t + promptLength + k;
                if (cut.masked()[k]) {
                    noisy[at] = maskTokenId;
                }
                if (cut.inWindow()[k]) {
                    windowMask[at] = 1;
                    positions[inWindow] = promptLength + k;
                    orders[inWindow++] = e.decodingOrder()[k];
                }
            }
            windowPositions.add(java.util.Arrays.copyOf(positions, inWindow));
            windowOrders.add(java.util.Arrays.copyOf(orders, inWindow));
        }

        // forward on the cut states
        NDArray ids = batch.idsArray(m); // (B, T)
        NDArray logits = model.forward(
                m.create(noisy, batch.shape()), batch.attentionMask(m), null, null, Hooks.NONE, HookSite.PROMPT);

        // cross-entropy over the window
        NDArray weights = m.create(windowMask, batch.shape()); // (B, T)
        NDArray ce = Losses.tokenNll(logits, ids)
                .mul(weights)
                .sum()
                .div(weights.sum().maximum(1f));

        // ranking term over the window's entropies
        NDArray rank = rankingLoss(Losses.entropy(logits), windowPositions, windowOrders);
        NDArray total = lambda == 0 ? ce : ce.add(rank.mul(Scalars.of(rank, lambda)));
        Map<String, Double> components = new LinkedHashMap<>();
        components.put("ce", (double) ce.getFloat());
        components.put("rank", (double) rank.getFloat());
        return new LossTerms(total, components, batch.tokens());
    }

    /**
     * The mean pairwise ranking loss over all ordered pairs of window positions (pairs unmasked at the same step
     * carry no order and are skipped); 0 when no row has a pair.
     *
     * @param entropy (B, T) predictive entropies
     * @param positions per row, the window's absolute positions
     * @param orders per row, the step each of those positions was unmasked at
     */
    public NDArray rankingLoss(NDArray entropy, List<int[]> positions, List<int[]> orders) {
        NDManager m = entropy.getManager();
        int b = positions.size();
        int w = Math.max(1, positions.stream().mapToInt(p -> p.length).max().orElse(0));
        long[] index = new long[b * w];
        float[] pairs = new float[b * w * w];
        int pairCount = 0;
        for (int r = 0; r < b; r++) {
            int[] p = positions.get(r);
            int[] o = orders.get(r);
            for (int i = 0; i < p.length; i++) {
                index[r * w + i] = p[i];
                for (int j = 0; j < p.length; j++) {
                    if (o[i] < o[j]) {
                        pairs[(r * w + i) * w + j] = 1;
                        pairCount++;
                    }
                }
            }
        }
        NDArray h = entropy.gather(m.create(index, new Shape(b, w)), 1); // (B, W)
        NDArray later = h.expandDims(1); // (B, 1, W): H_j along the last axis
        NDArray earlier = h.expandDims(2); // (B, W, 1): H_i along the middle axis
        NDArray gap = later.sub(earlier); // (B, W, W): H_j − H_i, positive when i is more certain
        NDArray perPair = form == RankForm.LOGISTIC
                ? Losses.softplus(gap.neg().div(Scalars.of(gap, tau))) // −log σ(gap/τ)
                : gap.neg().add((float) margin).maximum(Scalars.of(gap, 0)); // max(0, H_i − H_j + m)
        // every number that autograd keeps is an engine-owned tensor: see Scalars
        return perPair.mul(m.create(pairs, new Shape(b, w, w))).sum().div(Scalars.of(gap, Math.max(1, pairCount)));
    }
}

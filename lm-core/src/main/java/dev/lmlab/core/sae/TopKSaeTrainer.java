package dev.lmlab.core.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.lmlab.core.checkpoint.CheckpointException;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import dev.lmlab.core.train.NoGrad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Trains a Top-K sparse autoencoder (Gao et al. 2024) on batches of activations, and writes it in the SAELens format
 * that {@link SparseAutoencoder} reads.
 *
 * <p>The model: {@code z = ReLU(TopK((x − b_dec) W_enc + b_enc))}, {@code x̂ = z W_dec + b_dec}. The objective is
 * the normalised MSE {@code ‖x − x̂‖² / ‖x − mean(x)‖²} over the batch (the fraction of variance unexplained, FVU),
 * plus α × AuxK: the residual {@code e = x − x̂} (x̂ detached) reconstructed from the top k_aux pre-activations of
 * the dead latents alone, {@code ê = z_aux W_dec} with no b_dec (e is a difference of two points, b_dec cancels in
 * it), scored as {@code ‖e − ê‖² / ‖e − mean(e)‖²}. Decoder rows stay unit vectors: before each Adam step the
 * component of each row's gradient along the row is removed, after it the rows are rescaled to norm 1.
 *
 * <p>Dimension letters: B tokens in a batch, D = d_in, S = d_sae, K = k, N dead latents.
 *
 * <p>The step is sparse wherever the math allows, with the gradients written out by hand rather than left to
 * autograd (which would differentiate the Top-K through dense (B, S) matrices). Only the selection needs the dense
 * {@code (B, D) × (D, S)} encoder product. Everything after it touches the K chosen latents of each token only:
 * the decoder, the gradients of W_dec and W_enc and of the encoder's input are products with a sparse (B, S)
 * matrix of B·K entries, and ∂L/∂z is a dot product of each token's output gradient with its K gathered decoder
 * rows. So a step costs one dense product, O(B·K·D) and Adam's pass over the parameters, where autograd on the
 * dense formulation pays five more dense products. {@code TopKSaeGradientTest} checks the gradients against
 * autograd on the dense formulation. To gather encoder directions the encoder is held transposed, {@code W_enc_T
 * (S, D)}; files carry SAELens's {@code W_enc (D, S)}. AuxK runs densely over the dead latents only (O(B·N·D)),
 * which is nothing while few are dead.
 *
 * <p>No autograd graph is ever recorded (everything runs in {@link NoGrad}), so DJL's number operands, which must
 * not reach a backward pass (see {@code Scalars}), are safe here.
 *
 * <p>Memory: a step's tensors live in a sub-manager closed at its end; parameters and Adam's moments are the only
 * arrays that outlive it. Ops whose receiver is a parameter put their result in the parameters' manager, so each
 * such result is attached to the step's scope ({@link #local}).
 */
public final class TopKSaeTrainer implements AutoCloseable {

    /** Evaluation runs over at most this many rows at a time. */
    static final int EVAL_CHUNK = 4096;

    /** Gathered decoder rows per chunk in {@link #gatherDot}: 4 MB, still in cache when the products read them. */
    private static final long GATHER_CHUNK_FLOATS = 1L << 20;

    /** Keys of cfg.json the trainer writes itself; extra configuration may not override them. */
    private static final Set<String> OWN_KEYS = Set.of(
            "architecture",
            "d_in",
            "d_sae",
            "k",
            "activation_fn_str",
            "activation_fn_kwargs",
            "apply_b_dec_to_input",
            "dtype",
            "normalize_activations");

    private static final String W_ENC_T = "W_enc_T";
    private static final String W_DEC = "W_dec";
    private static final String B_ENC = "b_enc";
    private static final String B_DEC = "b_dec";

    private final TopKSaeConfig config;
    private final NDManager manager;
    private final NDArray wEncT; // (S, D): row s is latent s's encoder direction
    private final NDArray wDec; // (S, D)
    private final NDArray bEnc; // (S)
    private final NDArray bDec; // (D)
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final long[] tokensSinceFired; // (S)
    private long step;
    private long tokensSeen;
    private Phases lastPhases = new Phases(0, 0, 0, 0);

    /**
     * What one step did, measured before its update.
     *
     * @param loss FVU + α × AuxK, what the step minimised
     * @param fvu the batch's normalised MSE
     * @param auxLoss the AuxK loss, 0 when no latent is dead or AuxK is off
     * @param l0 mean number of latents active (positive) per token
     * @param deadFraction the fraction of latents dead after this batch was counted
     * @param tokensSeen tokens trained on, this batch included
     */
    public record StepStats(
            long step, double loss, double fvu, double auxLoss, double l0, double deadFraction, long tokensSeen) {}

    /**
     * A reconstruction report over a set of rows (no gradients, no change to the trainer).
     *
     * @param fvu Σ‖x − x̂‖² / Σ‖x − mean(x)‖² over all rows (NaN when the rows have no variance)
     * @param explainedVariance 1 − Σⱼ Varⱼ(x − x̂) / Σⱼ Varⱼ(x), each dimension centred on its own mean
     * @param mse mean squared error per element
     * @param l0 mean number of active latents per row
     * @param deadFraction latents dead by the training tracker (not by these rows)
     * @param denseFraction latents active on more than 10% of these rows
     * @param firingCounts per latent, the rows on which it was active
     */
    public record Evaluation(
            long rows,
            double fvu,
            double explainedVariance,
            double mse,
            double l0,
            double deadFraction,
            double denseFraction,
            long[] firingCounts) {}

    /** Wall time of the last step's phases, in nanoseconds: selection, forward, backward, optimizer. */
    public record Phases(long selectNanos, long forwardNanos, long backwardNanos, long optimizerNanos) {

        public long totalNanos() {
            return selectNanos + forwardNanos + backwardNanos + optimizerNanos;
        }
    }

    private TopKSaeTrainer(
            TopKSaeConfig config, NDManager parent, float[] wEncT, float[] wDec, float[] bEnc, float[] bDec) {
        this.config = config;
        this.manager = parent.newSubManager();
        int s = config.dSae();
        int d = config.dIn();
        this.wEncT = manager.create(wEncT, new Shape(s, d));
        this.wDec = manager.create(wDec, new Shape(s, d));
        this.bEnc = manager.create(bEnc, new Shape(s));
        this.bDec = manager.create(bDec, new Shape(d));
        parameters.put(W_ENC_T, this.wEncT);
        parameters.put(W_DEC, this.wDec);
        parameters.put(B_ENC, this.bEnc);
        parameters.put(B_DEC, this.bDec);
        parameters.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape()));
            secondMoments.put(name, manager.zeros(p.getShape()));
        });
        this.tokensSinceFired = new long[s];
    }

    /**
     * A fresh SAE: decoder rows random unit vectors drawn with the config's seed, the encoder their transpose, b_enc
     * zero, b_dec the geometric median (or mean) of {@code initSample}, a (rows, d_in) sample of the training data.
     */
    public static TopKSaeTrainer create(TopKSaeConfig config, NDManager manager, float[][] initSample) {
        checkRows(initSample, config.dIn(), "initial sample");
        int s = config.dSae();
        int d = config.dIn();

        // decoder: seeded Gaussian directions, each row scaled to unit norm
        Random random = new Random(config.seed());
        float[] wDec = new float[s * d];
        double[] row = new double[d];
        for (int i = 0; i < s; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian();
                norm += row[j] * row[j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                wDec[i * d + j] = (float) (row[j] / norm);
            }
        }

        // b_dec: a centre of the data, robust to outliers by default
        double[] centre = config.bDecInit().equals(TopKSaeConfig.MEAN)
                ? Centres.mean(initSample)
                : Centres.geometricMedian(initSample);
        float[] bDec = new float[d];
        for (int j = 0; j < d; j++) {
            bDec[j] = (float) centre[j];
        }

        // tied init: W_enc = W_dec^T, i.e. W_enc_T = W_dec
        return new TopKSaeTrainer(config, manager, wDec.clone(), wDec, new float[s], bDec);
    }

    /**
     * Continues training an SAE saved in SAELens format (fresh Adam moments and dead-latent counts). Its d_in and
     * d_sae must match the config's.
     */
    public static TopKSaeTrainer fromWeights(TopKSaeConfig config, NDManager manager, Path folder) {
        Path cfgFile = folder.resolve(SparseAutoencoder.CONFIG);
        JsonNode cfg;
        try {
            cfg = JsonMapper.shared().readTree(Files.readString(cfgFile));
        } catch (IOException e) {
            throw new CheckpointException(cfgFile, "cannot read: " + e.getMessage(), e);
        } catch (tools.jackson.core.JacksonException e) {
            throw new CheckpointException(cfgFile, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (cfg.path("d_in").asInt(-1) != config.dIn() || cfg.path("d_sae").asInt(-1) != config.dSae()) {
            throw new CheckpointException(
                    cfgFile,
                    "has d_in=" + cfg.path("d_in") + ", d_sae=" + cfg.path("d_sae")
                            + " but the training config says d_in=" + config.dIn() + ", d_sae=" + config.dSae());
        }
        int s = config.dSae();
        int d = config.dIn();
        try (SafetensorsFile weights = SafetensorsFile.open(folder.resolve(SparseAutoencoder.WEIGHTS))) {
            float[] wEnc = read(weights, "W_enc", d, s);
            float[] wDec = read(weights, "W_dec", s, d);
            float[] bEnc = read(weights, "b_enc", s);
            float[] bDec = read(weights, "b_dec", d);
            return new TopKSaeTrainer(config, manager, transpose(wEnc, d, s), wDec, bEnc, bDec);
        }
    }

    /**
     * A trainer exactly where {@link #save} and {@link #saveState} left one: weights from the SAELens folder, Adam's
     * moments, the step, tokens seen and each latent's tokens since it last fired from the state file. Given the same
     * batches it continues as the saved trainer would have.
     */
    public static TopKSaeTrainer resume(TopKSaeConfig config, NDManager manager, Path folder, Path stateFile) {
        TopKSaeTrainer trainer = fromWeights(config, manager, folder);
        try {
            trainer.loadState(stateFile);
            return trainer;
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
    }

    public TopKSaeConfig config() {
        return config;
    }

    public long steps() {
        return step;
    }

    public long tokensSeen() {
        return tokensSeen;
    }

    /** Per latent, tokens since it was last active (a copy). */
    public long[] tokensSinceFired() {
        return tokensSinceFired.clone();
    }

    public double deadFraction() {
        return deadLatents().length / (double) config.dSae();
    }

    public Phases lastPhases() {
        return lastPhases;
    }

    /** One Adam step on a (B, d_in) batch of at least two different rows. */
    public StepStats step(float[][] batch) {
        try (NDManager scope = manager.newSubManager();
                NoGrad ignored = NoGrad.scope()) {
            Pass pass = forwardBackward(batch, scope);

            // decoder constraint, Adam, unit decoder rows
            long start = System.nanoTime();
            removeParallelComponent(pass.gradients.get(W_DEC), scope);
            adamStep(pass.gradients, scope);
            normaliseDecoderRows(scope);
            long optimizer = System.nanoTime() - start;

            step++;
            tokensSeen += batch.length;
            lastPhases = new Phases(pass.selectNanos, pass.forwardNanos, pass.backwardNanos, optimizer);
            return new StepStats(step, pass.loss, pass.fvu, pass.auxLoss, pass.l0, deadFraction(), tokensSeen);
        }
    }

    private record Pass(
            double loss,
            double fvu,
            double auxLoss,
            double l0,
            Map<String, NDArray> gradients,
            long selectNanos,
            long forwardNanos,
            long backwardNanos) {}

    /**
     * The chosen latents: pre-activations (B, S), the top-K values and ids (B, K), the same copied out, and the
     * coordinates of the B·K chosen (token, latent) pairs as (2, B·K) index arrays in both orders.
     */
    private record Selection(
            NDArray pre,
            NDArray values,
            NDArray ids,
            float[] valueArray,
            long[] idArray,
            NDArray tokenLatent,
            NDArray latentToken) {}

    /**
     * Forward and backward on a batch (call without a graph); returns the loss and the gradients in the step's scope
     * and counts the batch in the dead-latent tracker.
     */
    private Pass forwardBackward(float[][] batch, NDManager scope) {
        int b = checkRows(batch, config.dIn(), "batch");
        int d = config.dIn();
        int k = config.k();
        int s = config.dSae();
        double denominator = centredSquares(batch);
        if (!(denominator > 0)) {
            throw new IllegalArgumentException("the batch has no variance (all " + b + " rows are equal), so its "
                    + "normalised MSE is undefined; train on batches of at least two different rows");
        }

        // select: dense pre-activations, top k per token; count who fired
        long start = System.nanoTime();
        NDArray x = scope.create(flatten(batch, d), new Shape(b, d)); // (B, D)
        NDArray centred = x.sub(bDec); // (B, D)
        Selection chosen = select(centred, scope);
        int active = countFiring(chosen, b);
        long[] dead = deadLatents();
        long selected = System.nanoTime();

        // forward: z = ReLU(top-k values), x̂ = z W_dec + b_dec with z as a sparse (B, S) matrix
        NDArray z = chosen.values.maximum(0f).reshape(b * k); // (B·K)
        NDArray xHat = sparse(chosen.tokenLatent, z, b, s, scope).matMul(wDec).add(bDec); // (B, D)
        NDArray error = xHat.sub(x); // (B, D) x̂ − x
        double fvu = error.square().sum().getFloat() / denominator;
        if (!Double.isFinite(fvu)) {
            throw new IllegalStateException("the SAE loss is " + fvu + " at step " + (step + 1)
                    + "; lower the learning rate or check the activations for NaN/Inf");
        }
        long forwarded = System.nanoTime();

        // backward through the decoder: ∂L/∂x̂ = 2 (x̂ − x) / Σ‖x − mean(x)‖²
        NDArray dXHat = error.mul((float) (2 / denominator)); // (B, D)
        NDArray gBDec = dXHat.sum(new int[] {0}); // (D)
        NDArray gWDec = sparse(chosen.latentToken, z, s, b, scope).matMul(dXHat); // (S, D) zᵀ ∂x̂
        // ∂L/∂pre at the chosen latents: each token's ∂x̂ against its K decoder rows, through the ReLU
        NDArray dPre = gatherDot(dXHat, wDec, chosen.ids, scope)
                .muli(chosen.values.gt(0f).toType(DataType.FLOAT32, false))
                .reshape(b * k); // (B·K)

        // backward through the encoder
        NDArray dPreT = sparse(chosen.latentToken, dPre, s, b, scope); // (S, B)
        NDArray gWEncT = dPreT.matMul(centred); // (S, D)
        NDArray gBEnc = dPreT.matMul(scope.ones(new Shape(b, 1))).reshape(s); // (S)
        NDArray dCentred = sparse(chosen.tokenLatent, dPre, b, s, scope).matMul(wEncT); // (B, D)
        gBDec.subi(dCentred.sum(new int[] {0})); // centred = x − b_dec

        Map<String, NDArray> gradients = new LinkedHashMap<>();
        gradients.put(W_ENC_T, gWEncT);
        gradients.put(W_DEC, gWDec);
        gradients.put(B_ENC, gBEnc);
        gradients.put(B_DEC, gBDec);

        // AuxK: the residual, modelled by the dead latents alone
        double aux = dead.length > 0 && config.kAux() > 0 && config.auxAlpha() > 0
                ? auxK(centred, error, chosen.pre, dead, gradients, scope)
                : 0;
        chosen.pre.close(); // (B, S), the largest array of a step
        long backwarded = System.nanoTime();

        return new Pass(
                fvu + config.auxAlpha() * aux,
                fvu,
                aux,
                active / (double) b,
                gradients,
                selected - start,
                forwarded - selected,
                backwarded - forwarded);
    }

    /**
     * The AuxK loss on the N dead latents, its gradients (× α) added into {@code gradients}: pre-activations of the
     * dead latents, the top min(k_aux, N) per token kept (ReLU), ê = z_aux W_dec[dead] without b_dec, scored against
     * the residual e = x − x̂ (a constant: x̂ gets no gradient from AuxK) as ‖e − ê‖² / ‖e − mean(e)‖². Returns 0
     * when e has no variance.
     */
    private double auxK(
            NDArray centred, NDArray error, NDArray pre, long[] dead, Map<String, NDArray> gradients, NDManager scope) {
        int n = dead.length;
        int s = config.dSae();
        int kAux = Math.min(config.kAux(), n);
        NDArray residual = error.neg(); // (B, D) e
        double denominator =
                residual.sub(residual.mean(new int[] {0}, true)).square().sum().getFloat();
        if (!(denominator > 0)) {
            return 0;
        }

        // forward: the dead latents' pre-activations, each token's top k_aux of them, ReLU
        NDArray deadIds = scope.create(dead); // (N)
        NDArray preDead = gather(deadIds, pre.transpose()).transpose(); // (B, N)
        NDArray keep = preDead.gt(0f); // (B, N)
        if (kAux < n) {
            NDArray kth = preDead.topK(kAux, 1, true, false).get(0).min(new int[] {1}, true); // (B, 1)
            keep = keep.logicalAnd(preDead.gte(kth));
        }
        NDArray keepMask = keep.toType(DataType.FLOAT32, false); // (B, N)
        NDArray zAux = preDead.mul(keepMask); // (B, N)
        NDArray decoderDead = gather(deadIds, wDec); // (N, D)
        NDArray diff = zAux.matMul(decoderDead).sub(residual); // (B, D) ê − e, no b_dec in ê
        double aux = diff.square().sum().getFloat() / denominator;

        // backward, scaled by α
        NDArray dEHat = diff.muli((float) (2 * config.auxAlpha() / denominator)); // (B, D)
        NDArray gDecoderDead = zAux.transpose().matMul(dEHat); // (N, D)
        NDArray dPreDead = dEHat.matMul(decoderDead.transpose()).muli(keepMask); // (B, N)
        NDArray encoderDead = gather(deadIds, wEncT); // (N, D)
        NDArray gEncoderDead = dPreDead.transpose().matMul(centred); // (N, D)
        NDArray gBEncDead = dPreDead.sum(new int[] {0}).reshape(n, 1); // (N, 1)
        gradients.get(B_DEC).subi(dPreDead.matMul(encoderDead).sum(new int[] {0})); // (D)

        // scatter the dead latents' rows into the full gradients: (S, N) with a one at (dead[i], i)
        long[] coordinates = new long[2 * n];
        for (int i = 0; i < n; i++) {
            coordinates[i] = dead[i];
            coordinates[n + i] = i;
        }
        NDArray scatter = sparse(scope.create(coordinates, new Shape(2, n)), scope.ones(new Shape(n)), s, n, scope);
        gradients.get(W_DEC).addi(scatter.matMul(gDecoderDead));
        gradients.get(W_ENC_T).addi(scatter.matMul(gEncoderDead));
        gradients.get(B_ENC).addi(scatter.matMul(gBEncDead).reshape(s));
        return aux;
    }

    /** Top-k latents per token from the dense pre-activations of {@code centred} = x − b_dec (B, D). */
    private Selection select(NDArray centred, NDManager scope) {
        int b = (int) centred.getShape().get(0);
        int k = config.k();
        NDArray pre = centred.matMul(local(wEncT.transpose(), scope)).add(bEnc); // (B, S)
        NDList top = pre.topK(k, -1, true, false); // values (B, K), ids (B, K)
        long[] ids = top.get(1).toLongArray();
        long[] tokenLatent = new long[2 * b * k];
        long[] latentToken = new long[2 * b * k];
        for (int i = 0; i < b * k; i++) {
            tokenLatent[i] = i / k;
            tokenLatent[b * k + i] = ids[i];
            latentToken[i] = ids[i];
            latentToken[b * k + i] = i / k;
        }
        return new Selection(
                pre,
                top.get(0),
                top.get(1),
                top.get(0).toFloatArray(),
                ids,
                scope.create(tokenLatent, new Shape(2, (long) b * k)),
                scope.create(latentToken, new Shape(2, (long) b * k)));
    }

    /** Updates tokens-since-fired with a batch; returns how many (token, latent) pairs were active. */
    private int countFiring(Selection selection, int batchSize) {
        boolean[] fired = new boolean[config.dSae()];
        int active = 0;
        for (int i = 0; i < selection.valueArray.length; i++) {
            if (selection.valueArray[i] > 0) {
                fired[(int) selection.idArray[i]] = true;
                active++;
            }
        }
        for (int s = 0; s < fired.length; s++) {
            tokensSinceFired[s] = fired[s] ? 0 : tokensSinceFired[s] + batchSize;
        }
        return active;
    }

    private long[] deadLatents() {
        return java.util.stream.IntStream.range(0, tokensSinceFired.length)
                .filter(s -> tokensSinceFired[s] >= config.deadAfterTokens())
                .asLongStream()
                .toArray();
    }

    /** g ← g − (g·w / w·w) w for each decoder row w and its gradient g (w·w = 1 but for rounding). */
    private void removeParallelComponent(NDArray g, NDManager scope) {
        NDArray along = g.mul(wDec).sum(new int[] {1}, true); // (S, 1)
        NDArray squares = local(wDec.square(), scope).sum(new int[] {1}, true); // (S, 1)
        g.subi(along.divi(squares).mul(wDec));
    }

    private void normaliseDecoderRows(NDManager scope) {
        NDArray norms = local(wDec.norm(new int[] {1}, true), scope); // (S, 1)
        wDec.divi(norms.maximum(1e-12f)); // (S, D) / (S, 1)
    }

    /**
     * Adam: {@code p −= lr/(1−β₁ᵗ) · m / (sqrt(v)/sqrt(1−β₂ᵗ) + ε)}, PyTorch's update, computed as {@code p −=
     * lr·sqrt(1−β₂ᵗ)/(1−β₁ᵗ) · m / (sqrt(v) + ε·sqrt(1−β₂ᵗ))} (one pass fewer). The coefficients are 0-dim tensors
     * made once per step: a number operand costs DJL a tensor of its own per op. The gradients are scaled in place.
     */
    private void adamStep(Map<String, NDArray> gradients, NDManager scope) {
        long t = step + 1;
        double beta1 = config.adamBeta1();
        double beta2 = config.adamBeta2();
        double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        NDArray b1 = scalar(scope, beta1);
        NDArray b2 = scalar(scope, beta2);
        NDArray oneMinusB1 = scalar(scope, 1 - beta1);
        NDArray oneMinusB2 = scalar(scope, 1 - beta2);
        NDArray epsilon = scalar(scope, config.adamEpsilon() * correction2Sqrt);
        NDArray stepSize = scalar(scope, config.learningRate() * correction2Sqrt / (1 - Math.pow(beta1, t)));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = gradients.get(e.getKey());
            NDArray m = firstMoments.get(e.getKey());
            NDArray v = secondMoments.get(e.getKey());
            v.muli(b2).addi(g.square().muli(oneMinusB2));
            m.muli(b1).addi(g.muli(oneMinusB1));
            NDArray denominator = local(v.sqrt(), scope).addi(epsilon);
            p.subi(local(m.div(denominator), scope).muli(stepSize));
        }
    }

    private static NDArray scalar(NDManager scope, double value) {
        return scope.full(new Shape(), (float) value);
    }

    /** Reconstructions x̂ (rows, d_in) of activation rows, as training computes them. */
    public float[][] reconstruct(float[][] rows) {
        int n = checkRows(rows, config.dIn(), "rows");
        float[][] out = new float[n][];
        forEachChunk(rows, (from, chunk, xHat, selection) -> {
            for (int i = 0; i < chunk; i++) {
                out[from + i] = Arrays.copyOfRange(xHat, i * config.dIn(), (i + 1) * config.dIn());
            }
        });
        return out;
    }

    /** Reconstruction quality on {@code rows} (no gradients; the trainer is unchanged). */
    public Evaluation evaluate(float[][] rows) {
        int n = checkRows(rows, config.dIn(), "rows");
        int d = config.dIn();
        double[] mean = Centres.mean(rows);
        double[] residualSum = new double[d];
        double[] residualSquares = new double[d];
        double[] totals = new double[3]; // Σ‖x − x̂‖², Σ‖x − mean‖², active latents
        long[] firing = new long[config.dSae()];
        forEachChunk(rows, (from, chunk, xHat, selection) -> {
            for (int i = 0; i < chunk; i++) {
                float[] x = rows[from + i];
                for (int j = 0; j < d; j++) {
                    double r = x[j] - (double) xHat[i * d + j];
                    double c = x[j] - mean[j];
                    residualSum[j] += r;
                    residualSquares[j] += r * r;
                    totals[0] += r * r;
                    totals[1] += c * c;
                }
            }
            for (int i = 0; i < selection.valueArray.length; i++) {
                if (selection.valueArray[i] > 0) {
                    firing[(int) selection.idArray[i]]++;
                    totals[2]++;
                }
            }
        });
        double residualVariance = 0; // Σⱼ n·Varⱼ(x − x̂)
        for (int j = 0; j < d; j++) {
            residualVariance += residualSquares[j] - residualSum[j] * residualSum[j] / n;
        }
        long dense = Arrays.stream(firing).filter(c -> c > 0.1 * n).count();
        boolean varies = totals[1] > 0;
        return new Evaluation(
                n,
                varies ? totals[0] / totals[1] : Double.NaN,
                varies ? 1 - residualVariance / totals[1] : Double.NaN,
                totals[0] / ((double) n * d),
                totals[2] / n,
                deadFraction(),
                dense / (double) config.dSae(),
                firing);
    }

    @FunctionalInterface
    private interface ChunkConsumer {
        void accept(int from, int rows, float[] xHat, Selection selection);
    }

    /** Runs the forward pass without a graph over chunks of rows, handing each chunk's x̂ (rows × D) on. */
    private void forEachChunk(float[][] rows, ChunkConsumer consumer) {
        int d = config.dIn();
        int k = config.k();
        for (int from = 0; from < rows.length; from += EVAL_CHUNK) {
            int chunk = Math.min(EVAL_CHUNK, rows.length - from);
            try (NDManager scope = manager.newSubManager();
                    NoGrad ignored = NoGrad.scope()) {
                NDArray x = scope.create(flatten(Arrays.copyOfRange(rows, from, from + chunk), d), new Shape(chunk, d));
                Selection chosen = select(x.sub(bDec), scope);
                NDArray z = chosen.values.maximum(0f).reshape((long) chunk * k); // (B·K)
                NDArray xHat = sparse(chosen.tokenLatent, z, chunk, config.dSae(), scope)
                        .matMul(wDec)
                        .add(bDec); // (B, D)
                consumer.accept(from, chunk, xHat.toFloatArray(), chosen);
            }
        }
    }

    /**
     * Writes the SAE as a SAELens folder ({@code cfg.json}, {@code sae_weights.safetensors}, float32). {@code
     * extraConfig} adds keys to cfg.json ({@code hook_name}, {@code model_name}, …) but may not change the ones that
     * describe the SAE itself. The folder is assembled next to the target and moved into place, so a reader never
     * sees half of it and a failed save leaves the previous one intact.
     */
    public void save(Path folder, Map<String, Object> extraConfig) {
        ObjectNode cfg = JsonMapper.shared().createObjectNode();
        cfg.put("architecture", "topk");
        cfg.put("d_in", config.dIn());
        cfg.put("d_sae", config.dSae());
        cfg.put("k", config.k());
        cfg.put("activation_fn_str", "topk");
        cfg.putObject("activation_fn_kwargs").put("k", config.k());
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("dtype", "float32");
        cfg.put("normalize_activations", "none");
        if (extraConfig != null) {
            extraConfig.forEach((key, value) -> {
                if (OWN_KEYS.contains(key)) {
                    throw new IllegalArgumentException("cfg.json key '" + key
                            + "' is written from the SAE itself; leave it out of the extra config");
                }
                cfg.set(key, JsonMapper.shared().valueToTree(value));
            });
        }
        int s = config.dSae();
        int d = config.dIn();
        SafetensorsWriter weights = new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("W_enc", new long[] {d, s}, transpose(wEncT.toFloatArray(), s, d))
                .addFloats("W_dec", new long[] {s, d}, wDec.toFloatArray())
                .addFloats("b_enc", new long[] {s}, bEnc.toFloatArray())
                .addFloats("b_dec", new long[] {d}, bDec.toFloatArray());
        writeFolder(folder, staging -> {
            Files.writeString(
                    staging.resolve(SparseAutoencoder.CONFIG),
                    JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
            weights.write(staging.resolve(SparseAutoencoder.WEIGHTS));
        });
    }

    /**
     * Writes what {@link #resume} needs beyond the weights: Adam's moments, the step, tokens seen and each latent's
     * tokens since it last fired. Atomic, as every safetensors write.
     */
    public void saveState(Path file) {
        SafetensorsWriter w = new SafetensorsWriter()
                .metadata("step", Long.toString(step))
                .metadata("tokens_seen", Long.toString(tokensSeen))
                .metadata("d_in", Integer.toString(config.dIn()))
                .metadata("d_sae", Integer.toString(config.dSae()));
        firstMoments.forEach((name, m) -> w.add("adam.m." + name, m));
        secondMoments.forEach((name, v) -> w.add("adam.v." + name, v));
        w.addLongs("tokens_since_fired", new long[] {config.dSae()}, tokensSinceFired);
        w.write(file);
    }

    private void loadState(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!Integer.toString(config.dIn()).equals(meta.get("d_in"))
                    || !Integer.toString(config.dSae()).equals(meta.get("d_sae"))) {
                throw new CheckpointException(
                        file,
                        "is the state of a d_in=" + meta.get("d_in") + ", d_sae=" + meta.get("d_sae")
                                + " SAE, not of d_in=" + config.dIn() + ", d_sae=" + config.dSae());
            }
            for (String name : parameters.keySet()) {
                firstMoments.get(name).set(readExact(f, "adam.m." + name, parameters.get(name)));
                secondMoments.get(name).set(readExact(f, "adam.v." + name, parameters.get(name)));
            }
            long[] since = f.readLongs("tokens_since_fired");
            if (since.length != config.dSae()) {
                throw new CheckpointException(file, "tokens_since_fired has " + since.length + " entries, not d_sae");
            }
            System.arraycopy(since, 0, tokensSinceFired, 0, since.length);
            step = Long.parseLong(meta.getOrDefault("step", "0"));
            tokensSeen = Long.parseLong(meta.getOrDefault("tokens_seen", "0"));
        }
    }

    private static float[] readExact(SafetensorsFile f, String name, NDArray like) {
        if (!Arrays.equals(f.require(name).shape(), like.getShape().getShape())) {
            throw new CheckpointException(
                    f.path(),
                    "tensor '" + name + "' has shape " + f.require(name).shapeString() + ", expected "
                            + like.getShape());
        }
        return f.readFloats(name);
    }

    /** A parameter in SAELens layout (W_enc as (d_in, d_sae)), copied out; for tests. */
    float[] weight(String name) {
        return switch (name) {
            case "W_enc" -> transpose(wEncT.toFloatArray(), config.dSae(), config.dIn());
            case "W_dec" -> wDec.toFloatArray();
            case "b_enc" -> bEnc.toFloatArray();
            case "b_dec" -> bDec.toFloatArray();
            default -> throw new IllegalArgumentException("no parameter " + name);
        };
    }

    /**
     * The gradients one step would use for {@code batch} (SAELens layout), with or without the decoder constraint
     * applied; no update is made, but the batch counts towards dead-latent tracking. For tests.
     */
    Map<String, float[]> gradients(float[][] batch, boolean constrainDecoder) {
        try (NDManager scope = manager.newSubManager();
                NoGrad ignored = NoGrad.scope()) {
            Map<String, NDArray> g = forwardBackward(batch, scope).gradients;
            if (constrainDecoder) {
                removeParallelComponent(g.get(W_DEC), scope);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("W_enc", transpose(g.get(W_ENC_T).toFloatArray(), config.dSae(), config.dIn()));
            out.put("W_dec", g.get(W_DEC).toFloatArray());
            out.put("b_enc", g.get(B_ENC).toFloatArray());
            out.put("b_dec", g.get(B_DEC).toFloatArray());
            return out;
        }
    }

    /** The manager holding the parameters and moments; for tests that count arrays. */
    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---- helpers

    private static NDArray gather(NDArray ids, NDArray table) {
        // torch.embedding: rows of table at ids; the result joins ids' manager (the step's scope)
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** A (rows, cols) sparse COO matrix with {@code values} at the (2, nnz) {@code coordinates}; duplicates add up. */
    private static NDArray sparse(NDArray coordinates, NDArray values, long rows, long cols, NDManager scope) {
        return local(
                JniUtils.createSparseCoo((PtNDArray) coordinates, (PtNDArray) values, new Shape(rows, cols)), scope);
    }

    /**
     * out[b, j] = a[b] · table[ids[b, j]] (B, K): each row of {@code a} (B, D) against K gathered rows of {@code
     * table} (S, D), chunk by chunk so that no (B, K, D) array is ever whole.
     */
    private static NDArray gatherDot(NDArray a, NDArray table, NDArray ids, NDManager scope) {
        long b = ids.getShape().get(0);
        long k = ids.getShape().get(1);
        long d = a.getShape().get(1);
        long chunk = Math.max(1, GATHER_CHUNK_FLOATS / (k * d));
        NDList parts = new NDList();
        for (long from = 0; from < b; from += chunk) {
            long to = Math.min(b, from + chunk);
            NDArray rows = gather(ids.get(from + ":" + to), table); // (C, K, D)
            NDArray tokens = a.get(from + ":" + to).reshape(to - from, 1, d); // (C, 1, D)
            parts.add(rows.muli(tokens).sum(new int[] {2})); // (C, K)
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }

    private static NDArray local(NDArray array, NDManager scope) {
        array.attach(scope);
        return array;
    }

    private static int checkRows(float[][] rows, int dIn, String what) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException("the " + what + " has no rows");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != dIn) {
                throw new IllegalArgumentException("row " + i + " of the " + what + " has "
                        + (rows[i] == null ? "no" : rows[i].length) + " values, but d_in is " + dIn);
            }
        }
        return rows.length;
    }

    private static float[] flatten(float[][] rows, int d) {
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return flat;
    }

    /** Σ‖x − mean(x)‖² over the rows, in double precision. */
    private static double centredSquares(float[][] rows) {
        double[] mean = Centres.mean(rows);
        double sum = 0;
        for (float[] row : rows) {
            for (int j = 0; j < mean.length; j++) {
                double c = row[j] - mean[j];
                sum += c * c;
            }
        }
        return sum;
    }

    /** A (rows, cols) row-major matrix transposed to (cols, rows). */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] out = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = a[r * cols + c];
            }
        }
        return out;
    }

    private static float[] read(SafetensorsFile file, String name, long... shape) {
        if (!Arrays.equals(file.require(name).shape(), shape)) {
            throw new CheckpointException(
                    file.path(),
                    "tensor '" + name + "' has shape " + file.require(name).shapeString() + " but the config implies "
                            + Arrays.toString(shape));
        }
        return file.readFloats(name);
    }

    @FunctionalInterface
    private interface FolderWriter {
        void write(Path staging) throws IOException;
    }

    /** Writes a folder beside {@code target}, then swaps it in; on failure the target is left as it was. */
    private static void writeFolder(Path target, FolderWriter writer) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            writer.write(staging);
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old.");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            if (old != null && !Files.exists(target)) {
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    old = null;
                } catch (IOException ignored) {
                    // the previous folder stays under its hidden name
                }
            }
            throw new UncheckedIOException("could not write SAE " + target + ": " + cause.getMessage(), cause);
        } finally {
            deleteQuietly(staging);
            deleteQuietly(old);
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            List<Path> paths = new ArrayList<>(files.toList());
            paths.sort(java.util.Comparator.reverseOrder());
            for (Path p : paths) {
                Files.delete(p);
            }
        } catch (IOException ignored) {
            // a hidden leftover folder is harmless; the next save of the target makes a new one
        }
    }
}

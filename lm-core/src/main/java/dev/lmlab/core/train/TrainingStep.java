package dev.lmlab.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lmlab.core.model.Scalars;
import dev.lmlab.core.model.Transformer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One optimizer step: forward and backward over each micro-batch (gradients accumulate, each loss scaled by
 * 1/micro-batches so the step sees their mean), then clipping, AdamW and zeroed gradients. Times the three
 * phases separately, which is what the training benchmark reports.
 *
 * <p>Memory: each micro-batch's tensors live in a sub-manager closed after its backward pass; the parameters,
 * their gradients and the optimizer moments are the only arrays that outlive a step.
 */
public final class TrainingStep {

    private final Transformer model;
    private final Map<String, NDArray> parameters;
    private final AdamW optimizer;
    private final Objective objective;
    private final double clipNorm;

    /**
     * @param clipNorm the global gradient norm is clipped to this; 0 or less disables clipping
     */
    public TrainingStep(
            Transformer model, Map<String, NDArray> parameters, AdamW optimizer, Objective objective, double clipNorm) {
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.objective = objective;
        this.clipNorm = clipNorm;
        Gradients.track(parameters);
    }

    public Objective objective() {
        return objective;
    }

    /**
     * What a step did.
     *
     * @param loss the mean loss over the micro-batches
     * @param components the objective's components, each a mean over the micro-batches
     * @param gradNorm the global gradient norm before clipping
     */
    public record Report(
            double loss,
            Map<String, Double> components,
            double gradNorm,
            double learningRate,
            long tokens,
            long forwardNanos,
            long backwardNanos,
            long optimizerNanos) {

        public long totalNanos() {
            return forwardNanos + backwardNanos + optimizerNanos;
        }
    }

    public Report run(List<PaddedBatch> microBatches, double learningRate, SplittableRandom random) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one micro-batch");
        }
        NDManager manager = model.weights().embed().getManager();
        int n = microBatches.size();
        long forward = 0;
        long backward = 0;
        long tokens = 0;
        double loss = 0;
        Map<String, Double> components = new LinkedHashMap<>();
        for (PaddedBatch micro : microBatches) {
            try (NDManager scope = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // forward
                long start = System.nanoTime();
                LossTerms terms = objective.loss(model, micro, random, scope);
                float value = terms.loss().getFloat();
                if (!Float.isFinite(value)) {
                    throw new IllegalStateException("the " + objective.name() + " loss is " + value
                            + "; lower the learning rate or check the data");
                }
                long mid = System.nanoTime();
                forward += mid - start;

                // backward, scaled so accumulated gradients are the mean over micro-batches
                collector.backward(n == 1 ? terms.loss() : terms.loss().div(Scalars.of(terms.loss(), n)));
                backward += System.nanoTime() - mid;

                loss += value / n;
                tokens += terms.tokens();
                terms.components().forEach((k, v) -> components.merge(k, v / n, Double::sum));
            }
        }

        // clip, update, reset
        long start = System.nanoTime();
        double gradNorm;
        try (NoGrad ignored = NoGrad.scope()) {
            gradNorm = Gradients.clip(parameters, clipNorm);
            optimizer.step(learningRate);
            Gradients.zero(parameters);
        }
        model.weightsUpdated();
        long optimizerNanos = System.nanoTime() - start;
        return new Report(loss, components, gradNorm, learningRate, tokens, forward, backward, optimizerNanos);
    }
}

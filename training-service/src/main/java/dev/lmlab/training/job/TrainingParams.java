package dev.lmlab.training.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a training job is asked to do; the same fields for every kind, each kind checking which apply (see {@link
 * TrainingKind}). Kind-independent defaults are filled in here, so the run's stored params say exactly what ran.
 *
 * @param baseModel a model registered with the inference service to start from
 * @param architecture or a fresh model of this shape (random init under {@code seed}, character tokenizer)
 * @param dataset JSONL under the artifacts root
 * @param learningRate peak learning rate (AdamW)
 * @param warmupSteps linear warmup, in optimizer steps
 * @param minLrRatio cosine decay ends at this fraction of the peak
 * @param batchSize sequences per micro-batch
 * @param gradAccumulation micro-batches per optimizer step
 * @param epochs passes over the dataset, unless {@code maxSteps} is set
 * @param maxSteps optimizer steps in all (overrides epochs)
 * @param weightDecay decoupled weight decay on matrices (not norms or biases)
 * @param clipNorm global gradient-norm clip; 0 disables it
 * @param seed data order, masking, cut steps and (from scratch) the initial weights all follow from it
 * @param maxLength longest sequence (prompt + response) allowed; the model's context when absent
 * @param appendEos end each response with the eos token so the model learns to stop (default true; trajectory
 *     kinds train on the trajectory's tokens as they are)
 * @param checkpointEvery steps between checkpoints (the final one is always written); absent: final only
 * @param registerCheckpoints register every checkpoint with the inference service, not only the final one
 * @param modelId the id the final checkpoint is registered under ({@code <kind>-<run id prefix>} when absent);
 *     intermediate ones get {@code <model id>-step-<n>}
 * @param evaluation benchmarks the eval service runs on checkpoints
 * @param window trajectory kinds: the window M of steps after the cut whose positions are CE targets and ranked
 * @param lambda tabom: weight of the ranking term
 * @param tau tabom: temperature of the logistic (Boltzmann) form
 * @param margin tabom: margin of the hinge form; giving it selects the hinge form
 */
public record TrainingParams(
        @Size(max = 128) String baseModel,
        @Valid Architecture architecture,
        @NotBlank @Size(max = 1000) String dataset,
        @Positive @DecimalMax("10") Double learningRate,
        @PositiveOrZero Integer warmupSteps,
        @PositiveOrZero @DecimalMax("1") Double minLrRatio,
        @Positive @Max(4096) Integer batchSize,
        @Positive @Max(1024) Integer gradAccumulation,
        @Positive @Max(100_000) Integer epochs,
        @Positive @Max(100_000_000) Integer maxSteps,
        @PositiveOrZero Double weightDecay,
        @PositiveOrZero Double clipNorm,
        Long seed,
        @Positive @Max(1_048_576) Integer maxLength,
        Boolean appendEos,
        @Positive Integer checkpointEvery,
        Boolean registerCheckpoints,
        @Pattern(regexp = "[A-Za-z0-9._:-]{1,100}") String modelId,
        @Valid Evaluation evaluation,
        @Positive @Max(65_536) Integer window,
        @PositiveOrZero @DecimalMax("1000") Double lambda,
        @Positive Double tau,
        @PositiveOrZero Double margin) {

    public TrainingParams {
        learningRate = learningRate == null ? 1e-4 : learningRate;
        warmupSteps = warmupSteps == null ? 0 : warmupSteps;
        minLrRatio = minLrRatio == null ? 0.1 : minLrRatio;
        batchSize = batchSize == null ? 8 : batchSize;
        gradAccumulation = gradAccumulation == null ? 1 : gradAccumulation;
        epochs = epochs == null ? 1 : epochs;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        clipNorm = clipNorm == null ? 1.0 : clipNorm;
        seed = seed == null ? 0L : seed;
        registerCheckpoints = registerCheckpoints != null && registerCheckpoints;
    }

    /** Every field at its default but the dataset (what {@code GET /jobs/kinds} shows). */
    public static TrainingParams onDataset(String dataset) {
        return new TrainingParams(
                null, null, dataset, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    /**
     * A model trained from scratch.
     *
     * @param family {@code llama}, {@code qwen2}, {@code qwen3} (causal) or {@code llada} (masked diffusion)
     * @param headDim per-head width; {@code hidden / heads} when absent
     * @param initStd standard deviation of the initial weights
     */
    public record Architecture(
            @NotBlank String family,
            @Positive @Max(16_384) Integer hidden,
            @Positive @Max(256) Integer layers,
            @Positive @Max(256) Integer heads,
            @Positive @Max(256) Integer kvHeads,
            @Positive @Max(1024) Integer headDim,
            @Positive @Max(65_536) Integer intermediate,
            @Positive @Max(1_048_576) Integer maxPositions,
            @Positive @DecimalMax("1") Double initStd) {

        public Architecture {
            hidden = hidden == null ? 128 : hidden;
            layers = layers == null ? 4 : layers;
            heads = heads == null ? 4 : heads;
            kvHeads = kvHeads == null ? heads : kvHeads;
            intermediate = intermediate == null ? hidden * 11 / 4 : intermediate;
            maxPositions = maxPositions == null ? 512 : maxPositions;
            initStd = initStd == null ? 0.02 : initStd;
        }
    }

    /**
     * @param benchmarks what the eval service should run, in its own terms (for now: JSONL item files under the
     *     artifacts root)
     * @param eachCheckpoint evaluate every checkpoint, not only the final one
     * @param settings passed to the eval service as they are (samples, temperature, generation length...)
     */
    public record Evaluation(
            @Size(min = 1, max = 20) List<@NotBlank String> benchmarks, Boolean eachCheckpoint, JsonNode settings) {

        public Evaluation {
            benchmarks = benchmarks == null ? List.of() : List.copyOf(benchmarks);
            eachCheckpoint = eachCheckpoint != null && eachCheckpoint;
        }
    }
}

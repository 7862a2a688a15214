package dev.lmlab.training.job;

import ai.djl.ndarray.NDArray;
import dev.lmlab.core.compute.ComputeBackend;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.train.AdamW;
import dev.lmlab.core.train.LearningRate;
import dev.lmlab.core.train.PaddedBatch;
import dev.lmlab.core.train.TrainingStep;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.training.TrainingProperties;
import dev.lmlab.training.dataset.TrainingData;
import dev.lmlab.training.peers.EvalTrigger;
import dev.lmlab.training.peers.InferenceModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The training loop every kind shares: load the base (or the last checkpoint), then step through the planned
 * optimizer steps, logging each to the run registry, checkpointing as asked and at the end, registering
 * checkpoints with the inference service and announcing them to the eval service.
 *
 * <p>A revived job continues from its last checkpoint with the weights, optimizer moments and step it recorded;
 * the data order and per-step randomness are functions of the seed and step ({@link DataOrder}), so its loss curve
 * continues as if nothing had happened.
 */
@Component
class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final BaseModels bases;
    private final Checkpoints checkpoints;
    private final Datasets datasets;
    private final InferenceModels inference;
    private final EvalTrigger evals;
    private final TrainingProperties properties;
    private final Semaphore slots;

    Trainer(
            BaseModels bases,
            Checkpoints checkpoints,
            Datasets datasets,
            InferenceModels inference,
            EvalTrigger evals,
            TrainingProperties properties) {
        this.bases = bases;
        this.checkpoints = checkpoints;
        this.datasets = datasets;
        this.inference = inference;
        this.evals = evals;
        this.properties = properties;
        this.slots = new Semaphore(properties.concurrentJobs(), true);
    }

    /** What a checkpoint records for a revived job: the folder to continue from (relative to the models root). */
    record State(String checkpoint, long step) {}

    /** {@code trainer_state.json}: enough to tell where a checkpoint folder came from. */
    record CheckpointInfo(String runId, String kind, long step, long totalSteps, double loss, String base) {}

    void train(JobContext context, TrainingKind kind, TrainingParams p) throws InterruptedException {
        if (!slots.tryAcquire()) {
            context.message("waiting for a free training slot (lmlab.training.concurrent-jobs = "
                    + properties.concurrentJobs() + ")");
            while (!slots.tryAcquire(250, TimeUnit.MILLISECONDS)) {
                context.checkCancelled();
            }
        }
        try {
            trainWithSlot(context, kind, p);
        } finally {
            slots.release();
        }
    }

    private void trainWithSlot(JobContext context, TrainingKind kind, TrainingParams p) {
        BaseModels.Base base = bases.forRun(p, context.runId());
        Optional<State> resumed = context.checkpointState(State.class).filter(s -> s.checkpoint() != null);
        Path weights = resumed.map(s -> checkpoints.folder(s.checkpoint())).orElse(base.folder());
        String modelId = p.modelId() != null
                ? p.modelId()
                : kind.jobKind() + "-" + context.runId().toString().substring(0, 8);

        try (LanguageModel model =
                LanguageModel.load(weights, ComputeBackend.get().device())) {
            // data
            TrainingData data = datasets.load(kind, p, model.tokenizer(), model.config());
            long total =
                    DataOrder.totalSteps(data.size(), p.batchSize(), p.gradAccumulation(), p.epochs(), p.maxSteps());
            DataOrder order = new DataOrder(data.examples(), p.seed());
            LearningRate schedule =
                    new LearningRate(p.learningRate(), Math.min(p.warmupSteps(), total), total, p.minLrRatio());

            // model, optimizer, objective
            Map<String, NDArray> parameters = model.transformer().weights().named();
            AdamW optimizer = AdamW.standard(parameters, model.manager(), p.weightDecay());
            long maskId =
                    model.config().maskTokenId() == null ? -1 : model.config().maskTokenId();
            TrainingStep step = new TrainingStep(
                    model.transformer(),
                    parameters,
                    optimizer,
                    kind.objective(p, model.config().maskedDiffusion(), maskId),
                    p.clipNorm());
            long start = context.resumeStep();
            if (resumed.isPresent()) {
                optimizer.load(weights.resolve(Checkpoints.OPTIMIZER));
                context.message("resuming at step " + start + " of " + total + " from "
                        + resumed.get().checkpoint());
            } else {
                context.message(kind.jobKind() + " on " + data.size() + " examples (" + data.tokens() + " tokens) from "
                        + base.description() + ": " + total + " steps of " + p.batchSize() + " x "
                        + p.gradAccumulation() + " sequences on "
                        + model.manager().getDevice());
            }
            long padId = padId(model);
            double lastLoss = Double.NaN;

            for (long s = start; s < total; s++) {
                // one optimizer step
                List<PaddedBatch> micro = order.step(s, p.batchSize(), p.gradAccumulation()).stream()
                        .map(rows -> PaddedBatch.of(rows, padId))
                        .toList();
                TrainingStep.Report r = step.run(micro, schedule.at(s), DataOrder.random(p.seed(), s));
                lastLoss = r.loss();
                log(context, s, r, order.epochOf(s * p.batchSize() * (long) p.gradAccumulation()));
                context.progress(s + 1, total);

                // checkpoint when due, and always at the end
                long next = s + 1;
                boolean last = next == total;
                if (last || (p.checkpointEvery() != null && next % p.checkpointEvery() == 0)) {
                    checkpoint(context, kind, p, model, parameters, optimizer, next, total, lastLoss, base, modelId);
                }
            }
            if (start >= total) {
                // revived after its final checkpoint: only the registration may be missing
                inference.register(modelId, "runs/" + context.runId() + "/step-" + total);
            }
            context.metric("final_loss", total, lastLoss);
            context.message("finished; the final checkpoint is served as model '" + modelId + "'");
            log.info(
                    "Run {} ({}) finished {} steps; final checkpoint registered as {}",
                    context.runId(),
                    kind.jobKind(),
                    total,
                    modelId);
        }
    }

    private void checkpoint(
            JobContext context,
            TrainingKind kind,
            TrainingParams p,
            LanguageModel model,
            Map<String, NDArray> parameters,
            AdamW optimizer,
            long next,
            long total,
            double loss,
            BaseModels.Base base,
            String modelId) {
        boolean last = next == total;
        CheckpointInfo info =
                new CheckpointInfo(context.runId().toString(), kind.jobKind(), next, total, loss, base.description());
        Checkpoints.Saved saved;
        try {
            saved = checkpoints.save(context.runId(), next, model, parameters, optimizer, info);
        } catch (java.io.UncheckedIOException e) {
            long previous = context.checkpointStep();
            throw new IllegalStateException(
                    e.getMessage()
                            + (previous > 0
                                    ? "; the previous checkpoint (step-" + previous + ") is intact"
                                    : "; no checkpoint was written"),
                    e);
        }
        context.artifact(saved.artifact());

        // serve and evaluate it (both idempotent: a revived job may repeat them)
        boolean evaluate = p.evaluation() != null
                && !p.evaluation().benchmarks().isEmpty()
                && (last || p.evaluation().eachCheckpoint());
        String servedAs = last ? modelId : modelId + "-step-" + next;
        if (last || p.registerCheckpoints() || evaluate) {
            inference.register(servedAs, saved.path());
        }
        if (evaluate) {
            try {
                EvalTrigger.Started started = evals.checkpointReady(
                        context.runId(),
                        next,
                        servedAs,
                        last,
                        p.evaluation().benchmarks(),
                        p.evaluation().settings());
                context.message("step " + next + ": " + started.runIds().size() + " evaluation run(s) started");
            } catch (EvalTrigger.EvalUnavailableException e) {
                log.warn("Run {}: evaluation of step {} not started: {}", context.runId(), next, e.getMessage());
                context.message("step " + next + ": evaluation not started: " + e.getMessage());
            }
        }
        context.checkpoint(next, new State(saved.path(), next));
    }

    private static void log(JobContext context, long s, TrainingStep.Report r, long epoch) {
        context.metric("loss", s, r.loss());
        r.components().forEach((name, value) -> context.metric("loss." + name, s, value));
        context.metric("lr", s, r.learningRate());
        context.metric("grad_norm", s, r.gradNorm());
        context.metric("tokens_per_s", s, r.tokens() / (r.totalNanos() / 1e9));
        context.metric("time.forward_ms", s, r.forwardNanos() / 1e6);
        context.metric("time.backward_ms", s, r.backwardNanos() / 1e6);
        context.metric("time.optimizer_ms", s, r.optimizerNanos() / 1e6);
        context.metric("epoch", s, epoch);
    }

    private static long padId(LanguageModel model) {
        Integer pad = model.config().padTokenId();
        if (pad != null) {
            return pad;
        }
        Long fromTokenizer = model.tokenizer().specials().padId();
        if (fromTokenizer != null) {
            return fromTokenizer;
        }
        return model.config().eosTokenIds().isEmpty()
                ? 0
                : model.config().eosTokenIds().get(0);
    }
}

package dev.lmlab.interp.sae;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.sae.TopKSaeConfig;
import dev.lmlab.core.sae.TopKSaeTrainer;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.interp.sets.ActivationSetStore;
import dev.lmlab.interp.sets.InputSets;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains a Top-K SAE on one hook of an activation set (lm-core's {@code TopKSaeTrainer}: tied init, b_dec from the
 * data, unit-norm decoder rows with the parallel gradient removed, AuxK on dead latents). Batches stream from the
 * set's shards and are a function of (seed, step); every {@code checkpoint_every} steps the weights and the optimizer
 * state are saved and checkpointed, so a revived run continues exactly. Metrics per step: FVU, L0, dead fraction,
 * AuxK loss. The result is an SAELens folder {@code saes/<run id>/}, evaluated on the held-out shards and registered.
 */
@Component
class SaeTrainingJob implements JobHandler<SaeTrainingJob.Params> {

    static final String KIND = "sae-training";
    static final int METRIC_EVERY = 10;
    static final int INIT_SAMPLE = 4096;
    static final int EVAL_ROWS = 20_000;
    private static final Logger log = LoggerFactory.getLogger(SaeTrainingJob.class);

    private final ActivationSetStore sets;
    private final SaeStore saes;
    private final DataRoot artifacts;
    private final RunRegistry registry;
    private final JsonMapper json;

    private final InferencePeer inference;
    private final InputSets inputs;

    SaeTrainingJob(
            ActivationSetStore sets,
            SaeStore saes,
            DataRoot artifacts,
            RunRegistry registry,
            JsonMapper json,
            InferencePeer inference,
            InputSets inputs) {
        this.inference = inference;
        this.inputs = inputs;
        this.sets = sets;
        this.saes = saes;
        this.artifacts = artifacts;
        this.registry = registry;
        this.json = json;
    }

    /**
     * @param set a stored activation set to train on; or, with no set stored, {@code model} and {@code input} (a
     *     JSONL of texts under the artifacts root or {@code shipped:<name>}) to capture {@code texts_per_step} texts
     *     from the inference service at every step
     * @param dSae latents; or {@code expansion} × the hook's width (default 8)
     * @param deadAfterTokens a latent silent this long is dead and trained by AuxK (default: half the training rows,
     *     at least 1000, at most the paper's 10M)
     * @param heldOutFraction shards kept out of training for the final evaluation
     * @param skipFirstToken leave each input's first token out (token-level sets): its activations are outliers
     */
    record Params(
            String set,
            String model,
            String input,
            @Min(1) @Max(256) Integer textsPerStep,
            @NotBlank String hook,
            @NotBlank String name,
            @Min(2) @Max(1 << 20) Integer dSae,
            @Min(1) @Max(256) Integer expansion,
            @NotNull @Min(1) Integer k,
            @Min(0) Integer kAux,
            @DecimalMin("0") @DecimalMax("100") Double auxAlpha,
            @Min(1) Long deadAfterTokens,
            @DecimalMin("0") @DecimalMax("1") Double learningRate,
            @Min(1) @Max(1 << 16) Integer batchSize,
            @NotNull @Min(1) @Max(10_000_000) Integer steps,
            String bDecInit,
            Long seed,
            @DecimalMin("0") @DecimalMax("0.5") Double heldOutFraction,
            @Min(1) @Max(1_000_000) Integer checkpointEvery,
            Boolean skipFirstToken) {

        Params {
            batchSize = batchSize == null ? 1024 : batchSize;
            seed = seed == null ? 0L : seed;
            heldOutFraction = heldOutFraction == null ? 0.1 : heldOutFraction;
            checkpointEvery = checkpointEvery == null ? 200 : checkpointEvery;
            skipFirstToken = skipFirstToken == null || skipFirstToken;
            textsPerStep = textsPerStep == null ? 16 : textsPerStep;
            bDecInit = bDecInit == null ? TopKSaeConfig.GEOMETRIC_MEDIAN : bDecInit;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Trains a Top-K sparse autoencoder on one hook of an activation set; SAELens output";
    }

    @Override
    public Params defaultParams() {
        return new Params(
                "",
                null,
                null,
                null,
                "blocks.0.hook_resid_post",
                "",
                null,
                8,
                32,
                null,
                null,
                null,
                null,
                null,
                1000,
                null,
                null,
                null,
                null,
                null);
    }

    @Override
    public String defaultName(Params p) {
        return "SAE " + p.name() + " at " + p.hook();
    }

    @Override
    public void check(Params p) {
        Source source = source(p);
        VectorStore.requireName(p.name(), "name");
        if (saes.nameTaken(source.model(), p.hook(), p.name())) {
            throw ApiException.conflict(
                            "sae-name-taken",
                            "model '" + source.model() + "' already has an SAE '" + p.name() + "' at " + p.hook())
                    .with("field", "name");
        }
        if (source.rows().trainRows() == 0) {
            throw ApiException.badRequest("empty-set", "the source has no training rows at " + p.hook())
                    .with("field", "set");
        }
        config(p, source.rows());
    }

    /** The model an SAE is trained for and where its rows come from. */
    record Source(String model, TrainingRows rows) {}

    Source source(Params p) {
        boolean stored = p.set() != null && !p.set().isBlank();
        boolean streamed = p.model() != null || p.input() != null;
        if (stored == streamed) {
            throw ApiException.badRequest(
                            "invalid-params",
                            "train on a stored activation set (set) or on activations captured as training goes"
                                    + " (model and input), one of the two")
                    .with("field", "set");
        }
        if (stored) {
            ActivationSet set = set(p);
            return new Source(
                    set.model(), TokenRows.open(set, p.hook(), artifacts, p.heldOutFraction(), p.skipFirstToken()));
        }
        if (p.model() == null || p.input() == null) {
            throw ApiException.badRequest("invalid-params", "streamed training needs both model and input")
                    .with("field", p.model() == null ? "model" : "input");
        }
        InferencePeer.ModelInfo model = inference.model(p.model());
        InferencePeer.requireHooks(model, List.of(p.hook()), "hook");
        return new Source(
                p.model(),
                new StreamedRows(
                        inference,
                        model,
                        p.hook(),
                        p.input(),
                        inputs.read(p.input()),
                        p.heldOutFraction(),
                        p.textsPerStep(),
                        p.skipFirstToken()));
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        StoredSae sae = train(context, p, "saes/" + context.runId(), 0, p.steps());
        Path out = artifacts.existing(sae.folder());
        context.artifact(JobOutput.artifact("cfg.json", out.resolve("cfg.json"), "application/json"));
        context.artifact(JobOutput.artifact(
                "sae_weights.safetensors", out.resolve("sae_weights.safetensors"), "application/octet-stream"));
        context.message("SAE " + sae.id() + ": held-out FVU " + sae.metrics().path("fvu") + ", L0 "
                + sae.metrics().path("l0") + ", dead " + sae.metrics().path("dead_fraction"));
    }

    /**
     * Trains one SAE inside a job, its checkpoints at {@code offset + step} (a sweep trains several in one run),
     * writes it to {@code folder}, evaluates it on the held-out shards and registers it; a revived job that finds it
     * registered already returns it.
     */
    StoredSae train(JobContext context, Params p, String folder, long offset, long total) throws Exception {
        java.util.Optional<StoredSae> done = saes.byRun(context.runId(), p.hook());
        if (done.isPresent()) {
            return done.get();
        }
        Source source = source(p);
        TrainingRows rows = source.rows();
        TopKSaeConfig config = config(p, rows);
        Path checkpoint = artifacts.newPath(folder + "/checkpoint/cfg.json").getParent();
        Path state = checkpoint.resolve("trainer-state.safetensors");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("model_name", source.model());
        extra.put("hook_name", p.hook());
        extra.putAll(rows.provenance());
        extra.put("lmlab_run", context.runId().toString());
        try (NDManager manager = NDManager.newBaseManager()) {
            TopKSaeTrainer trainer = context.resumeStep() > offset && Files.exists(state)
                    ? TopKSaeTrainer.resume(config, manager, checkpoint, state)
                    : TopKSaeTrainer.create(config, manager, rows.sample(INIT_SAMPLE));
            try (trainer) {
                if (context.resumeStep() > offset) {
                    context.message("resuming " + p.hook() + " at step " + trainer.steps() + " of " + p.steps());
                }
                for (long step = trainer.steps(); step < p.steps(); step++) {
                    context.checkCancelled();
                    TopKSaeTrainer.StepStats s = trainer.step(rows.batch(step, p.batchSize(), p.seed()));
                    if (step % METRIC_EVERY == 0 || step == p.steps() - 1) {
                        context.metric("fvu", offset + step, s.fvu());
                        context.metric("l0", offset + step, s.l0());
                        context.metric("dead_fraction", offset + step, s.deadFraction());
                        context.metric("auxk_loss", offset + step, s.auxLoss());
                        context.progress(offset + step + 1, total);
                    }
                    if ((step + 1) % p.checkpointEvery() == 0 && step + 1 < p.steps()) {
                        trainer.save(checkpoint, extra);
                        trainer.saveState(state);
                        context.checkpoint(offset + step + 1, Map.of("step", offset + step + 1));
                    }
                }
                Path out = artifacts.newPath(folder + "/cfg.json").getParent();
                trainer.save(out, extra);
                TopKSaeTrainer.Evaluation e = trainer.evaluate(rows.heldOut(EVAL_ROWS));
                Map<String, Object> metrics = new LinkedHashMap<>();
                metrics.put("held_out_rows", e.rows());
                metrics.put("fvu", finite(e.fvu()));
                metrics.put("explained_variance", finite(e.explainedVariance()));
                metrics.put("mse", e.mse());
                metrics.put("l0", e.l0());
                metrics.put("dead_fraction", e.deadFraction());
                metrics.put("dense_fraction", e.denseFraction());
                metrics.put("steps", trainer.steps());
                metrics.put("tokens_seen", trainer.tokensSeen());
                if (Double.isFinite(e.fvu())) {
                    context.metric("held_out_fvu", offset + trainer.steps(), e.fvu());
                }
                StoredSae sae = saes.save(new StoredSae(
                        UUID.randomUUID(),
                        p.name(),
                        source.model(),
                        p.hook(),
                        config.dIn(),
                        config.dSae(),
                        config.k(),
                        folder,
                        "trained",
                        context.runId(),
                        json.valueToTree(metrics),
                        registry.find(context.runId()).map(Run::createdBy).orElse(null),
                        null));
                log.info(
                        "SAE {} ({}) trained on {} at {}: held-out FVU {}, L0 {}",
                        sae.id(),
                        p.name(),
                        rows.provenance(),
                        p.hook(),
                        e.fvu(),
                        e.l0());
                return sae;
            }
        }
    }

    ActivationSet set(Params p) {
        UUID id;
        try {
            id = UUID.fromString(p.set());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-params", "set is an activation set id (UUID)")
                    .with("field", "set");
        }
        ActivationSet set = sets.ready(id);
        if (!set.hooks().contains(p.hook())) {
            throw ApiException.badRequest(
                            "unknown-hook", "set " + id + " was captured at " + set.hooks() + ", not at " + p.hook())
                    .with("field", "hook");
        }
        return set;
    }

    private static TopKSaeConfig config(Params p, TrainingRows rows) {
        int width = rows.width();
        if (p.dSae() != null && p.expansion() != null) {
            throw ApiException.badRequest("invalid-params", "give d_sae or expansion, not both")
                    .with("field", "d_sae");
        }
        int dSae = p.dSae() != null ? p.dSae() : width * (p.expansion() == null ? 8 : p.expansion());
        long dead = p.deadAfterTokens() != null
                ? p.deadAfterTokens()
                : Math.min(TopKSaeConfig.DEFAULT_DEAD_AFTER_TOKENS, Math.max(1000, rows.trainRows() / 2));
        try {
            return new TopKSaeConfig(
                    width,
                    dSae,
                    p.k(),
                    p.kAux() != null ? p.kAux() : TopKSaeConfig.defaultKAux(width),
                    p.auxAlpha() != null ? p.auxAlpha() : TopKSaeConfig.DEFAULT_AUX_ALPHA,
                    dead,
                    p.learningRate() != null ? p.learningRate() : TopKSaeConfig.defaultLearningRate(dSae),
                    p.bDecInit(),
                    p.seed());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-sae-config", e.getMessage() + " (set width d_in = " + width + ")")
                    .with("field", "k");
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

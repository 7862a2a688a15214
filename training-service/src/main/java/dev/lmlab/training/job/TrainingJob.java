package dev.lmlab.training.job;

import dev.lmlab.core.tokenizer.TextTokenizer;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import java.util.List;

/**
 * One training job kind as the platform's job machinery sees it: its params, the checks a submission must pass
 * before a run exists (base model, kind/model compatibility, every dataset row), and the run itself.
 */
final class TrainingJob implements JobHandler<TrainingParams> {

    private final TrainingKind kind;
    private final BaseModels bases;
    private final Datasets datasets;
    private final Trainer trainer;

    TrainingJob(TrainingKind kind, BaseModels bases, Datasets datasets, Trainer trainer) {
        this.kind = kind;
        this.bases = bases;
        this.datasets = datasets;
        this.trainer = trainer;
    }

    @Override
    public String kind() {
        return kind.jobKind();
    }

    @Override
    public Class<TrainingParams> paramsType() {
        return TrainingParams.class;
    }

    @Override
    public String description() {
        return kind.description();
    }

    @Override
    public TrainingParams defaultParams() {
        return TrainingParams.onDataset("datasets/train.jsonl");
    }

    @Override
    public String defaultName(TrainingParams p) {
        String base = p.baseModel() != null ? p.baseModel() : p.architecture().family() + " from scratch";
        return kind.jobKind() + " " + base + " on " + p.dataset();
    }

    @Override
    public void check(TrainingParams p) {
        kind.checkFields(p);
        BaseModels.Base base = bases.describe(p);
        Boolean diffusion = kind.needsDiffusion();
        if (diffusion != null && diffusion != base.config().maskedDiffusion()) {
            throw ApiException.badRequest(
                            "incompatible-base-model",
                            kind.jobKind() + " trains a " + (diffusion ? "masked-diffusion" : "causal") + " model; "
                                    + base.description() + " is " + (diffusion ? "causal" : "masked diffusion")
                                    + " (" + base.config().architecture() + ")")
                    .with("field", p.baseModel() != null ? "base_model" : "architecture.family");
        }
        try (TextTokenizer tokenizer = TextTokenizer.open(base.folder(), List.of())) {
            datasets.load(kind, p, tokenizer, base.config());
        }
    }

    @Override
    public void run(JobContext context, TrainingParams p) throws Exception {
        trainer.train(context, kind, p);
    }
}

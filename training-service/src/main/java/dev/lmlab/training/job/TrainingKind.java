package dev.lmlab.training.job;

import dev.lmlab.core.train.CausalLmObjective;
import dev.lmlab.core.train.MaskedDiffusionObjective;
import dev.lmlab.core.train.Objective;
import dev.lmlab.core.train.TrajectoryObjective;
import dev.lmlab.core.train.TrajectoryObjective.RankForm;
import dev.lmlab.platform.web.ApiException;
import java.util.Locale;

/** The training job kinds, what models and data each takes, and the objective each trains. */
public enum TrainingKind {
    PRETRAIN("Pretraining from random init or a checkpoint: next-token CE (causal) or NELBO over every token"
            + " (masked diffusion)"),
    SFT("Supervised fine-tuning of a causal model: next-token CE on the response only"),
    NELBO_SFT("Masked-diffusion SFT: LLaDA's NELBO with the prompt never masked"),
    TRAJECTORY_NELBO("Masked-diffusion training on states cut along self-distilled trajectories (TABOM with λ = 0)"),
    TABOM("Trajectory states plus TABOM's pairwise entropy-ranking loss (logistic with tau, or hinge with margin)");

    /** TABOM's defaults: a window of 32 steps, λ = 1, the logistic form at τ = 1. */
    public static final int DEFAULT_WINDOW = 32;

    public static final double DEFAULT_LAMBDA = 1.0;
    public static final double DEFAULT_TAU = 1.0;

    private final String description;

    TrainingKind(String description) {
        this.description = description;
    }

    /** The job kind name: {@code pretrain}, {@code sft}, {@code nelbo_sft}, {@code trajectory_nelbo}, {@code tabom}. */
    public String jobKind() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String description() {
        return description;
    }

    public boolean trajectories() {
        return this == TRAJECTORY_NELBO || this == TABOM;
    }

    /** Whether the kind needs a masked-diffusion model (true), a causal one (false), or takes either (null). */
    public Boolean needsDiffusion() {
        return switch (this) {
            case PRETRAIN -> null;
            case SFT -> false;
            case NELBO_SFT, TRAJECTORY_NELBO, TABOM -> true;
        };
    }

    public boolean appendsEos(TrainingParams p) {
        return !trajectories() && (p.appendEos() == null || p.appendEos());
    }

    /** Refuses fields that belong to other kinds, so a misplaced hyperparameter never passes silently. */
    public void checkFields(TrainingParams p) {
        if (!trajectories() && p.window() != null) {
            throw misplaced("window", "trajectory_nelbo and tabom");
        }
        if (this != TABOM) {
            for (String field : new String[] {"lambda", "tau", "margin"}) {
                Object value = switch (field) {
                    case "lambda" -> p.lambda();
                    case "tau" -> p.tau();
                    default -> p.margin();
                };
                if (value != null) {
                    throw misplaced(field, "tabom");
                }
            }
        }
        if (this == TABOM && p.tau() != null && p.margin() != null) {
            throw ApiException.badRequest(
                            "invalid-params", "give tau (the logistic form) or margin (the hinge form), not both")
                    .with("field", "margin");
        }
        if (trajectories() && p.appendEos() != null) {
            throw ApiException.badRequest(
                            "invalid-params",
                            jobKind() + " trains on the trajectory's own tokens; append_eos does not apply")
                    .with("field", "append_eos");
        }
    }

    private ApiException misplaced(String field, String where) {
        return ApiException.badRequest(
                        "invalid-params", "'" + field + "' applies to " + where + " jobs, not " + jobKind())
                .with("field", field);
    }

    /** The objective for this kind on a model that is (or is not) masked diffusion. */
    public Objective objective(TrainingParams p, boolean maskedDiffusion, long maskTokenId) {
        int window = p.window() == null ? DEFAULT_WINDOW : p.window();
        return switch (this) {
            case PRETRAIN ->
                maskedDiffusion ? new MaskedDiffusionObjective(maskTokenId, false) : new CausalLmObjective(false);
            case SFT -> new CausalLmObjective(true);
            case NELBO_SFT -> new MaskedDiffusionObjective(maskTokenId, true);
            case TRAJECTORY_NELBO -> TrajectoryObjective.nelboOnly(maskTokenId, window);
            case TABOM ->
                p.margin() != null
                        ? new TrajectoryObjective(
                                maskTokenId, window, lambda(p), RankForm.HINGE, DEFAULT_TAU, p.margin())
                        : new TrajectoryObjective(
                                maskTokenId,
                                window,
                                lambda(p),
                                RankForm.LOGISTIC,
                                p.tau() == null ? DEFAULT_TAU : p.tau(),
                                0);
        };
    }

    private static double lambda(TrainingParams p) {
        return p.lambda() == null ? DEFAULT_LAMBDA : p.lambda();
    }
}

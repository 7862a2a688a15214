package dev.lmlab.training.job;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.tiny.TinyModels;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.training.files.TrainingRoots;
import dev.lmlab.training.peers.InferenceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Where a job's starting weights come from: a model registered with the inference service (its folder under the
 * shared models root), or a fresh model of a given shape with the character tokenizer, written once per run so a
 * resumed job starts from the very same initial weights.
 */
@Component
class BaseModels {

    private final InferenceModels inference;
    private final TrainingRoots roots;

    BaseModels(InferenceModels inference, TrainingRoots roots) {
        this.inference = inference;
        this.roots = roots;
    }

    /**
     * A base: its config, and a folder with its tokenizer (and, for a registered model, its weights).
     *
     * @param weights whether {@code folder} holds the weights (false for a from-scratch shape at submission)
     */
    record Base(Path folder, ModelConfig config, boolean weights, String description) {}

    /** The base as submission checks see it: nothing is written. */
    Base describe(TrainingParams p) {
        if ((p.baseModel() == null) == (p.architecture() == null)) {
            throw ApiException.badRequest(
                            "invalid-params",
                            "give either base_model (a model registered with the inference service) or architecture"
                                    + " (to train from scratch)")
                    .with("field", "base_model");
        }
        if (p.baseModel() != null) {
            InferenceModels.RegisteredModel registered = inference.describe(p.baseModel());
            Path folder = roots.models().existing(registered.path());
            return new Base(folder, ModelConfig.read(folder.resolve("config.json")), true, "model " + p.baseModel());
        }
        ModelConfig config = config(p.architecture());
        return new Base(
                characterTokenizer(),
                config,
                false,
                "a fresh " + p.architecture().family() + " model");
    }

    /** The base for a run: from scratch, the initial checkpoint is written (once) under the run's folder. */
    Base forRun(TrainingParams p, UUID runId) {
        Base base = describe(p);
        if (base.weights()) {
            return base;
        }
        Path folder = roots.models().newPath("runs/" + runId + "/init");
        if (!Files.exists(folder.resolve("config.json"))) {
            TinyModels.write(
                    folder,
                    base.config().family(),
                    size(p.architecture()),
                    p.seed(),
                    p.architecture().initStd());
        }
        return new Base(folder, base.config(), true, base.description());
    }

    static ModelConfig config(TrainingParams.Architecture a) {
        return TinyModels.config(family(a.family()), size(a));
    }

    private static TinyModels.Size size(TrainingParams.Architecture a) {
        int headDim = a.headDim() != null ? a.headDim() : a.hidden() / a.heads();
        if (a.headDim() == null && a.hidden() % a.heads() != 0) {
            throw invalid("hidden (" + a.hidden() + ") must be a multiple of heads (" + a.heads() + ")", "hidden");
        }
        if (headDim % 2 != 0) {
            throw invalid("the head width (" + headDim + ") must be even for rotary positions", "head_dim");
        }
        if (a.heads() % a.kvHeads() != 0) {
            throw invalid("heads (" + a.heads() + ") must be a multiple of kv_heads (" + a.kvHeads() + ")", "kv_heads");
        }
        return new TinyModels.Size(
                a.hidden(), a.layers(), a.heads(), a.kvHeads(), headDim, a.intermediate(), a.maxPositions());
    }

    private static ModelConfig.Family family(String name) {
        try {
            return ModelConfig.Family.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(
                    "unknown family '" + name + "'; one of "
                            + Arrays.stream(ModelConfig.Family.values())
                                    .map(f -> f.name().toLowerCase(Locale.ROOT))
                                    .toList(),
                    "family");
        }
    }

    private static ApiException invalid(String detail, String field) {
        return ApiException.badRequest("invalid-architecture", detail).with("field", "architecture." + field);
    }

    /** The character tokenizer from-scratch models use, written once under the models root. */
    private Path characterTokenizer() {
        Path folder = roots.models().newPath("tokenizers/character");
        if (!Files.exists(folder.resolve("tokenizer.json"))) {
            try {
                Path staging = Files.createTempDirectory(folder.getParent(), ".character");
                TinyModels.writeTokenizer(staging);
                try {
                    Files.move(staging, folder, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    // another submission wrote it first: theirs is identical
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder;
    }
}

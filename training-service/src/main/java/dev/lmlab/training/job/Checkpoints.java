package dev.lmlab.training.job;

import ai.djl.ndarray.NDArray;
import dev.lmlab.core.checkpoint.CheckpointWriter;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.train.AdamW;
import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.training.TrainingProperties;
import dev.lmlab.training.files.TrainingRoots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training checkpoints: Hugging Face folders ({@code config.json}, {@code model.safetensors}, the tokenizer) under
 * {@code <models root>/runs/<run>/step-<n>}, with the optimizer's moments ({@code optimizer.safetensors}) and
 * {@code trainer_state.json} beside them, as transformers' Trainer keeps its own. A folder appears whole or not at
 * all; one that would not fit on the disk is refused before anything is written.
 */
@Component
class Checkpoints {

    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";

    private final TrainingRoots roots;
    private final TrainingProperties properties;
    private final JsonMapper json;

    Checkpoints(TrainingRoots roots, TrainingProperties properties, JsonMapper json) {
        this.roots = roots;
        this.properties = properties;
        this.json = json;
    }

    /** A written checkpoint: its path relative to the models root (what the inference service registers). */
    record Saved(String path, Path folder, Artifact artifact) {}

    Saved save(
            UUID run, long step, LanguageModel model, Map<String, NDArray> parameters, AdamW optimizer, Object state) {
        String relative = "runs/" + run + "/step-" + step;
        Path target = roots.models().newPath(relative);
        ensureSpace(relative, target.getParent(), parameters);
        CheckpointWriter.save(model.config(), parameters, model.folder(), target, staging -> {
            optimizer.save(staging.resolve(OPTIMIZER));
            Files.writeString(
                    staging.resolve(STATE),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        });
        Artifact artifact = new Artifact(
                "checkpoint-step-" + step,
                target.toUri().toString(),
                sha256(target.resolve("model.safetensors")),
                folderSize(target),
                "application/x-hf-checkpoint",
                null);
        return new Saved(relative, target, artifact);
    }

    /** The folder of a checkpoint recorded earlier (relative to the models root). */
    Path folder(String relative) {
        return roots.models().existing(relative);
    }

    private void ensureSpace(String relative, Path parent, Map<String, NDArray> parameters) {
        long floats =
                parameters.values().stream().mapToLong(p -> p.getShape().size()).sum();
        long needed = floats * 4 * 3 + properties.checkpointReserve().toBytes(); // weights and two moments, float32
        try {
            long usable = Files.getFileStore(parent).getUsableSpace();
            if (usable < needed) {
                String reason = "could not write checkpoint " + relative + ": the disk is full: it needs about "
                        + mb(needed) + " MB (with the configured reserve of "
                        + mb(properties.checkpointReserve().toBytes()) + " MB) and " + mb(usable)
                        + " MB are free under " + parent;
                throw new UncheckedIOException(reason, new IOException(reason));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return Digests.sha256Hex(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long mb(long bytes) {
        return bytes >> 20;
    }

    private static long folderSize(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.lmlab.core.checkpoint;

import ai.djl.ndarray.NDArray;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a Hugging Face checkpoint folder: {@code config.json}, {@code model.safetensors} (float32) and the
 * tokenizer and generation files copied from a source folder. The folder is assembled next to the target and
 * renamed into place, so a reader never sees half a checkpoint, and a crash leaves at most a temporary folder.
 */
public final class CheckpointWriter {

    /** Files copied from the source folder when present. */
    public static final List<String> COPIED =
            List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json");

    private CheckpointWriter() {}

    /**
     * @param parameters checkpoint name → parameter, as {@code ModelWeights.named()} gives them
     * @param filesFrom a checkpoint folder to copy tokenizer and generation files from, or null
     */
    public static void save(ModelConfig config, Map<String, NDArray> parameters, Path filesFrom, Path target) {
        save(config, parameters, filesFrom, target, staging -> {});
    }

    /** Writes more files into a checkpoint folder before it is moved into place (optimizer state, say). */
    @FunctionalInterface
    public interface ExtraFiles {
        void write(Path staging) throws IOException;
    }

    /**
     * As {@link #save(ModelConfig, Map, Path, Path)}, with {@code extra} files written into the same folder, so
     * they appear together with the weights or not at all. On any failure (a full disk, say) the partial folder is
     * removed and {@code target} is left as it was.
     */
    public static void save(
            ModelConfig config, Map<String, NDArray> parameters, Path filesFrom, Path target, ExtraFiles extra) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            Files.writeString(
                    staging.resolve("config.json"),
                    JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(config.toJson()));
            SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
            parameters.forEach(weights::add);
            weights.write(staging.resolve("model.safetensors"));
            if (filesFrom != null) {
                for (String name : COPIED) {
                    Path source = filesFrom.resolve(name);
                    if (Files.exists(source)) {
                        Files.copy(source, staging.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            extra.write(staging);
            if (Files.exists(target)) {
                deleteRecursively(target);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw new UncheckedIOException("could not write checkpoint " + target + ": " + describe(cause), cause);
        } finally {
            if (staging != null) {
                try {
                    deleteRecursively(staging);
                } catch (IOException ignored) {
                    // the hidden staging folder is harmless; the next save of this target replaces it
                }
            }
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.contains("No space left") ? "the disk is full (" + message + ")" : message;
    }

    static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}

package dev.lmlab.inference.files;

import dev.lmlab.inference.InferenceProperties;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * The folders user-given paths resolve in: checkpoints under the models root, SAEs, vectors and batch data under
 * the artifacts root. A path that leaves its root (by {@code ..}, by being absolute elsewhere, or through a
 * symbolic link) is refused before anything reads it.
 */
@Component
public class DataRoots {

    private final Path models;
    private final Path artifacts;

    public DataRoots(PlatformProperties platform, InferenceProperties inference) {
        Path home = Path.of(platform.home());
        this.models = create(blank(inference.modelsRoot()) ? home.resolve("models") : Path.of(inference.modelsRoot()));
        this.artifacts = create(
                blank(inference.artifactsRoot()) ? home.resolve("artifacts") : Path.of(inference.artifactsRoot()));
    }

    public Path models() {
        return models;
    }

    public Path artifacts() {
        return artifacts;
    }

    /** {@code relative} inside the models root, which must exist. */
    public Path model(String relative) {
        return inside(models, relative, "models root");
    }

    /** {@code relative} inside the artifacts root, which must exist. */
    public Path artifact(String relative) {
        return inside(artifacts, relative, "artifacts root");
    }

    /** Where a new file may be written under the artifacts root (parents created; the file need not exist). */
    public Path newArtifact(String relative) {
        Path target = lexicallyInside(artifacts, relative, "artifacts root");
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static Path inside(Path root, String relative, String rootName) {
        Path target = lexicallyInside(root, relative, rootName);
        if (!Files.exists(target)) {
            throw ApiException.notFound("path-not-found", "'" + relative + "' does not exist in the " + rootName)
                    .with("root", root.toString());
        }
        try {
            if (!target.toRealPath().startsWith(root.toRealPath())) {
                throw outside(relative, rootName, root);
            }
            return target.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path lexicallyInside(Path root, String relative, String rootName) {
        if (relative == null || relative.isBlank()) {
            throw ApiException.badRequest("path-required", "a path inside the " + rootName + " is required");
        }
        try {
            Path target = root.resolve(relative).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw outside(relative, rootName, root);
            }
            return target;
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("invalid-path", "'" + relative + "' is not a valid path: " + e.getReason());
        }
    }

    private static ApiException outside(String relative, String rootName, Path root) {
        return ApiException.badRequest(
                        "path-outside-root",
                        "'" + relative + "' resolves outside the " + rootName + "; give a path relative to it")
                .with("root", root.toString());
    }

    private static Path create(Path folder) {
        try {
            Path absolute = folder.toAbsolutePath().normalize();
            Files.createDirectories(absolute);
            return absolute.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

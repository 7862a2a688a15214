package dev.lmlab.platform.files;

import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A folder that user-given paths resolve in (the models root, the artifacts root). A path that leaves it (by
 * {@code ..}, by being absolute elsewhere, or through a symbolic link) is refused with a 400 before anything is
 * read or written; a missing one is a 404.
 */
public final class DataRoot {

    private final String name;
    private final Path folder;

    /**
     * @param name how error messages call it, e.g. {@code artifacts root}
     * @param folder created when missing
     */
    public DataRoot(String name, Path folder) {
        this.name = name;
        try {
            Path absolute = folder.toAbsolutePath().normalize();
            Files.createDirectories(absolute);
            this.folder = absolute.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the " + name + " " + folder, e);
        }
    }

    /** {@code configured} when set, else {@code home/fallback}: how services default their roots. */
    public static DataRoot of(String name, String configured, String home, String fallback) {
        boolean blank = configured == null || configured.isBlank();
        return new DataRoot(name, blank ? Path.of(home).resolve(fallback) : Path.of(configured));
    }

    public Path folder() {
        return folder;
    }

    public String name() {
        return name;
    }

    /** {@code relative} inside the root; it must exist. */
    public Path existing(String relative) {
        Path target = lexicallyInside(relative);
        if (!Files.exists(target)) {
            throw ApiException.notFound("path-not-found", "'" + relative + "' does not exist in the " + name)
                    .with("root", folder.toString());
        }
        try {
            Path real = target.toRealPath();
            if (!real.startsWith(folder)) {
                throw outside(relative);
            }
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a new file or folder may be written inside the root (parents created; the target need not exist). */
    public Path newPath(String relative) {
        Path target = lexicallyInside(relative);
        try {
            Files.createDirectories(target.getParent());
            if (!target.getParent().toRealPath().startsWith(folder)) {
                throw outside(relative);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** The path of {@code file} relative to the root, as clients name it. */
    public String relative(Path file) {
        return folder.relativize(file.toAbsolutePath().normalize()).toString();
    }

    private Path lexicallyInside(String relative) {
        if (relative == null || relative.isBlank()) {
            throw ApiException.badRequest("path-required", "a path inside the " + name + " is required");
        }
        try {
            Path target = folder.resolve(relative).normalize();
            if (!target.startsWith(folder) || target.equals(folder)) {
                throw outside(relative);
            }
            return target;
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("invalid-path", "'" + relative + "' is not a valid path: " + e.getReason());
        }
    }

    private ApiException outside(String relative) {
        return ApiException.badRequest(
                        "path-outside-root",
                        "'" + relative + "' resolves outside the " + name + "; give a path relative to it")
                .with("root", folder.toString());
    }
}

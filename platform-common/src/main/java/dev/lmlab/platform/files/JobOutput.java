package dev.lmlab.platform.files;

import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.util.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Writing job outputs so that a resumed job continues exactly where its last checkpoint left them. */
public final class JobOutput {

    private JobOutput() {}

    /** Cuts {@code file} back to {@code bytes} (what the last checkpoint covered), creating it when absent. */
    public static void truncate(Path file, long bytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.truncate(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends lines and forces them to disk; returns the file's new size. */
    public static long append(Path file, List<String> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(l -> out.append(l).append('\n'));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            channel.write(java.nio.ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves a finished temporary file into place in one step, so a reader never sees half a file. */
    public static void publish(Path tmp, Path target) {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code content} beside {@code target} and moves it into place: a reader sees all of it or nothing. */
    public static Path writeWhole(Path target, byte[] content) {
        Path tmp = target.resolveSibling(target.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
        try {
            Files.write(tmp, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        publish(tmp, target);
        return target;
    }

    public static Artifact artifact(String name, Path file, String mediaType) {
        try {
            return new Artifact(
                    name, file.toUri().toString(), Digests.sha256Hex(file), Files.size(file), mediaType, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

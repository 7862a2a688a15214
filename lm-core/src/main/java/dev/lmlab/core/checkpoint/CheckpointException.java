package dev.lmlab.core.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint, tokenizer or safetensors file that cannot be used as it is. The message names the file, the
 * tensor or key, and what was expected against what was found, so the fix is obvious from the message alone.
 */
public class CheckpointException extends RuntimeException {

    private final Path file;

    public CheckpointException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public CheckpointException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}

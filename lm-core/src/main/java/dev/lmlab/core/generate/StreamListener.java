package dev.lmlab.core.generate;

/** Receives text as it is generated, row by row; for streaming responses. */
@FunctionalInterface
public interface StreamListener {

    StreamListener NONE = (row, delta) -> {};

    /** New text of {@code row} (never a partial stop string, never half a multi-byte character). */
    void onText(int row, String delta);
}

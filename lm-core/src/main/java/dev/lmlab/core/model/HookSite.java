package dev.lmlab.core.model;

/**
 * Where in its sequence each row of a forward pass is, so interventions can target positions.
 *
 * @param rowOffsets per row, the position (counted from the row's first real token) of this call's first
 *     column; negative for rows that are left-padded; null means 0 for every row
 * @param promptLengths per row, how many positions are prompt (later ones were generated); null: all prompt
 * @param step the decoding step, for per-step schedules: the index of the token being generated in
 *     autoregressive decoding, the denoising step in diffusion decoding
 */
public record HookSite(int[] rowOffsets, int[] promptLengths, int step) {

    /** A plain forward pass over a whole prompt: every position is prompt, step 0. */
    public static final HookSite PROMPT = new HookSite(null, null, 0);

    public int offset(int row) {
        return rowOffsets == null ? 0 : rowOffsets[row];
    }

    public int promptLength(int row) {
        return promptLengths == null ? Integer.MAX_VALUE : promptLengths[row];
    }
}

package dev.lmlab.core.model;

/**
 * Where in a sequence a forward pass is, so interventions can target positions: the absolute position of the
 * first token of this call ({@code offset}, non-zero when a KV cache holds the earlier ones), the prompt length
 * of each row (positions before it are prompt, from it on generated), and the decoding step (for per-step
 * schedules: the AR token index, or the diffusion denoising step).
 */
public record HookSite(int offset, int[] promptLengths, int step) {

    /** A plain forward pass over a whole prompt: every position is prompt, step 0. */
    public static final HookSite PROMPT = new HookSite(0, null, 0);

    /** Whether absolute position {@code position} of row {@code row} belongs to the prompt. */
    public boolean inPrompt(int row, int position) {
        return promptLengths == null || position < promptLengths[row];
    }
}

package dev.lmlab.core.generate;

import java.util.List;

/**
 * A masked-diffusion generation.
 *
 * @param outputIds the generated positions' ids (genLength of them, the response)
 * @param text the response decoded, cut at the first eos
 * @param forwardPasses model evaluations spent (a classifier-free-guidance step costs two)
 * @param trajectory one entry per step, when asked for
 */
public record DiffusionResult(
        long[] promptIds, long[] outputIds, String text, int forwardPasses, List<TrajectoryStep> trajectory) {

    /** For each response position, the step at which it was unmasked (the decoding order). */
    public int[] decodingOrder() {
        int[] order = new int[outputIds.length];
        java.util.Arrays.fill(order, -1);
        for (TrajectoryStep s : trajectory) {
            for (int p : s.positions()) {
                order[p - promptIds.length] = s.step();
            }
        }
        return order;
    }
}

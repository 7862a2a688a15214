package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What an objective computes on one micro-batch.
 *
 * @param loss the scalar to differentiate
 * @param components named parts of it, already read to the host (for example {@code nelbo}, {@code ce}, {@code
 *     rank}); the total is logged as {@code loss}
 * @param tokens real tokens the micro-batch held (for tokens/s)
 */
public record LossTerms(NDArray loss, Map<String, Double> components, long tokens) {}

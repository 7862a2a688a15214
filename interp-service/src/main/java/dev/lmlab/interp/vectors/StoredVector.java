package dev.lmlab.interp.vectors;

import java.time.OffsetDateTime;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A vector in the store: where it applies (model, hook), what it is and how it was made.
 *
 * @param layer the block index of the hook ({@code blocks.L.*}); null for the embedding and the final norm
 * @param kind {@code direction} (a contrast of two label groups), {@code trait} (a persona vector), {@code
 *     orthogonalized} (a trait vector after Gram–Schmidt), {@code expression} (algebra over stored vectors)
 * @param provenance the request that made it and its inputs' ids, so any vector can be made again
 */
public record StoredVector(
        UUID id,
        String name,
        String model,
        String hook,
        Integer layer,
        int width,
        double norm,
        String kind,
        float[] values,
        JsonNode provenance,
        String createdBy,
        OffsetDateTime createdAt) {

    /** The block index in a hook name such as {@code blocks.6.hook_resid_post}. */
    public static Integer layerOf(String hook) {
        if (hook.startsWith("blocks.")) {
            int end = hook.indexOf('.', 7);
            try {
                return Integer.parseInt(hook.substring(7, end));
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}

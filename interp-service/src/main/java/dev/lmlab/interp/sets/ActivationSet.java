package dev.lmlab.interp.sets;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A captured activation set as the registry lists it.
 *
 * @param id the id of the run that captured it
 * @param pooling how each input became one vector per hook ({@code last}, {@code mean}, {@code mean_prompt},
 *     {@code mean_response}), or {@code all} (one vector per token)
 * @param labelCounts label key → value → rows
 * @param folder relative to the artifacts root: shards, {@code labels.jsonl}, {@code metadata.json}
 * @param widths hook → width (d_model), once captured
 */
public record ActivationSet(
        UUID id,
        String name,
        String model,
        List<String> hooks,
        String pooling,
        int rowCount,
        Map<String, Map<String, Integer>> labelCounts,
        String folder,
        String status,
        Map<String, Integer> widths,
        String createdBy,
        OffsetDateTime createdAt,
        OffsetDateTime completedAt) {

    public static final String CAPTURING = "capturing";
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    public boolean pooled() {
        return !pooling.equals("all");
    }
}

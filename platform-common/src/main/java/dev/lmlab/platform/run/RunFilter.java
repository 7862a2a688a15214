package dev.lmlab.platform.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A query over runs; every field is optional and they combine with AND.
 *
 * @param tags each entry requires the tag to be present with that value, or present at all when the value is
 *     null
 */
public record RunFilter(
        String service,
        String kind,
        List<RunStatus> statuses,
        Map<String, String> tags,
        UUID parentId,
        Instant createdAfter,
        Instant createdBefore) {

    public static final RunFilter ALL = new RunFilter(null, null, List.of(), Map.of(), null, null, null);

    public RunFilter {
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
        tags = tags == null ? Map.of() : tags;
    }
}

package dev.lmlab.platform.run;

import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** What is needed to register a run; the registry assigns id, status QUEUED and timestamps. */
public record NewRun(
        String service,
        String kind,
        String name,
        JsonNode params,
        Map<String, String> tags,
        UUID parentId,
        String createdBy) {

    public NewRun {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}

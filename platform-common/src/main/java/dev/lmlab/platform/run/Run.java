package dev.lmlab.platform.run;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One unit of long work in the shared registry, as every service and the gateway see it.
 *
 * @param attempt how many workers have taken this run's job so far (0 until one starts it)
 * @param worker the worker that holds the job now, or last held it
 * @param cancelRequested a cancel was asked for and the job will stop at its next step
 */
public record Run(
        UUID id,
        String service,
        String kind,
        String name,
        RunStatus status,
        JsonNode params,
        Map<String, String> tags,
        UUID parentId,
        double progress,
        String error,
        String createdBy,
        int attempt,
        String worker,
        boolean cancelRequested,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant updatedAt,
        Instant heartbeatAt) {}

package dev.lmlab.platform.run;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Something that happened to a run, in order. {@code seq} is global and increasing, so it serves as the SSE
 * event id. Types the platform writes: {@code status}, {@code progress}, {@code checkpoint}, {@code resumed},
 * {@code released}, {@code cancel_requested}, {@code message}.
 */
public record RunEvent(long seq, UUID runId, String type, JsonNode data, Instant createdAt) {}

package dev.lmlab.eval.triggers;

import java.time.Instant;
import java.util.UUID;

/** A stored trigger: {@code event} is {@code checkpoint} or {@code webhook}. */
public record Trigger(
        UUID id, String name, String event, TriggerRule rule, boolean enabled, String createdBy, Instant createdAt) {}

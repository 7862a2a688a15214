package dev.lmlab.inference.models;

import java.time.Instant;

/** A checkpoint folder registered for serving: {@code path} is relative to the models root. */
public record RegisteredModel(String id, String path, String architecture, String registeredBy, Instant createdAt) {}

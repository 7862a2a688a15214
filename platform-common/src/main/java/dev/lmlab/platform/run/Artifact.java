package dev.lmlab.platform.run;

import java.time.Instant;

/** A file a run produced, by reference: the store holds the bytes, the registry the address and digest. */
public record Artifact(String name, String uri, String sha256, Long sizeBytes, String mediaType, Instant createdAt) {}

package dev.lmlab.eval.benchmark;

import java.time.Instant;
import java.util.Map;

/**
 * A benchmark version in the registry.
 *
 * @param tagCounts how many items carry each tag
 * @param used whether a run was accepted against this version (it is then immutable)
 */
public record StoredBenchmark(
        String id,
        String name,
        String version,
        BenchmarkSpec spec,
        String contentSha256,
        int itemCount,
        Map<String, Integer> tagCounts,
        String createdBy,
        Instant createdAt,
        boolean used) {}

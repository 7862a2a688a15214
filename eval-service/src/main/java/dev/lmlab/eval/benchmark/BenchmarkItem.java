package dev.lmlab.eval.benchmark;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * One stored item: its stable id, its place in the benchmark, its tags, and all its fields as imported.
 *
 * @param ordinal 0-based position, which fixes trial seeds
 */
public record BenchmarkItem(String id, int ordinal, List<String> tags, ObjectNode data) {}

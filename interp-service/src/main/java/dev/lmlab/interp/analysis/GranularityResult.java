package dev.lmlab.interp.analysis;

import java.util.Map;

/**
 * @param json the statistics as JSON-ready values (maps, lists, numbers, strings, null), snake_case keys
 * @param axis the primary hook's contrast axis, top-level mean minus bottom-level mean, not normalised: (D)
 * @param projectionPlotPng each label's projection on the axis by level, with per-level means and intervals
 * @param stabilityPlotPng ρ and |cos(axis, PC1)| across the layers
 */
public record GranularityResult(
        Map<String, Object> json, double[] axis, byte[] projectionPlotPng, byte[] stabilityPlotPng) {}

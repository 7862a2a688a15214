package dev.lmlab.interp.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hidden states of labelled inputs, such as prompts in which a model plays a social role, at one or more hooks. N
 * rows, D hidden width (may differ between hooks).
 *
 * @param levels granularity levels, ordered from the bottom (index 0, broadest) to the top (most specific)
 * @param rowsByHook hook name to its (N, D) hidden states, the same N rows in the same order for every hook; the map's
 *     order is the layer order
 * @param labelOfRow each row's label, such as the role "cardiologist": (N)
 * @param levelOfLabel each label's level, one of {@code levels}
 * @param variantOfRow each row's prompt variant, (N), or null when there is one variant
 */
public record GranularityInput(
        List<String> levels,
        LinkedHashMap<String, double[][]> rowsByHook,
        String[] labelOfRow,
        Map<String, String> levelOfLabel,
        String[] variantOfRow) {}

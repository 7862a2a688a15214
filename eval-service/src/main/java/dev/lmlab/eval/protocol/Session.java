package dev.lmlab.eval.protocol;

import java.util.List;

/**
 * What a target did in one trial.
 *
 * @param prompt what the graded response answered: the rendered prompt, or a session's test probe
 * @param response the graded response: the only completion of a single-turn trial, or the first answer to a
 *     session's test probe
 * @param promptTokens summed over the trial's calls; null when the target reports no usage
 */
public record Session(
        String prompt,
        List<Turn> transcript,
        String response,
        Integer promptTokens,
        Integer completionTokens,
        long latencyMillis) {}

package dev.lmlab.eval.run;

import dev.lmlab.eval.protocol.Turn;
import java.util.List;

/**
 * One trial of one item in an eval run, as stored.
 *
 * @param outcome {@code graded}; {@code error} (the target failed: excluded from scores, counted against the run's
 *     error budget); or {@code judge_error} (the judge's verdict was unreadable: excluded and counted)
 * @param prompt what the graded response answered
 * @param transcript every message of the trial, scripted and generated
 */
public record Trial(
        String itemId,
        int trial,
        String outcome,
        Double score,
        Boolean correct,
        String prompt,
        List<Turn> transcript,
        String response,
        String rationale,
        String judgeOutput,
        String error,
        long latencyMs,
        Integer promptTokens,
        Integer completionTokens) {

    public static final String GRADED = "graded";
    public static final String ERROR = "error";
    public static final String JUDGE_ERROR = "judge_error";

    public boolean graded() {
        return outcome.equals(GRADED);
    }
}

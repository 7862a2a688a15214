package dev.lmlab.eval.grading;

import java.util.Map;

/**
 * A grader's verdict on one response.
 *
 * @param score in [0, 1]
 * @param correct whether the response passes (what pass@k counts)
 * @param rationale why, in a sentence a person can check
 * @param judgeOutput a judge's raw output, kept verbatim; null for graders without a judge
 * @param rubricScores a judge's score per rubric item, on its scale (empty for other graders)
 * @param judgeError set when a judge's output could not be read as a verdict: the trial is then excluded from the
 *     score and counted, never silently a zero
 */
public record Grade(
        double score,
        boolean correct,
        String rationale,
        String judgeOutput,
        String judgeError,
        Map<String, Double> rubricScores) {

    public Grade {
        rubricScores = rubricScores == null ? Map.of() : Map.copyOf(rubricScores);
    }

    public Grade(double score, boolean correct, String rationale, String judgeOutput, String judgeError) {
        this(score, correct, rationale, judgeOutput, judgeError, Map.of());
    }

    public static Grade pass(String rationale) {
        return new Grade(1.0, true, rationale, null, null);
    }

    public static Grade fail(String rationale) {
        return new Grade(0.0, false, rationale, null, null);
    }

    public static Grade of(boolean correct, String rationale) {
        return correct ? pass(rationale) : fail(rationale);
    }

    public static Grade judgeFailed(String reason, String judgeOutput) {
        return new Grade(0.0, false, reason, judgeOutput, reason);
    }

    public boolean isJudgeError() {
        return judgeError != null;
    }
}

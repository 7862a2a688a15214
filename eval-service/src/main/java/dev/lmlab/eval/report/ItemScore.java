package dev.lmlab.eval.report;

import java.util.List;

/**
 * One item's trials in a run, reduced.
 *
 * @param trials graded trials (errors and judge errors excluded): the n of pass@k
 * @param correct graded trials that passed: the c of pass@k
 * @param meanScore mean score over graded trials; NaN when none was graded
 */
public record ItemScore(
        String id, List<String> tags, int trials, int correct, double meanScore, int errors, int judgeErrors) {

    public boolean scored() {
        return trials > 0;
    }

    public double accuracy() {
        return trials == 0 ? Double.NaN : (double) correct / trials;
    }

    /** Solved by most of its trials: what "flipped" compares between two runs. */
    public boolean solved() {
        return trials > 0 && 2 * correct > trials;
    }
}

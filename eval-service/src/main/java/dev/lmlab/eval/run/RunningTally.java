package dev.lmlab.eval.run;

import java.util.List;

/** Counts over a run's trials as they arrive, for its live metrics and its error budget. */
final class RunningTally {

    private long trials;
    private long graded;
    private long correct;
    private long errors;
    private String firstError;

    static RunningTally of(List<Trial> stored) {
        RunningTally t = new RunningTally();
        stored.forEach(t::add);
        return t;
    }

    void add(Trial t) {
        trials++;
        if (t.graded()) {
            graded++;
            correct += Boolean.TRUE.equals(t.correct()) ? 1 : 0;
        } else if (t.outcome().equals(Trial.ERROR)) {
            errors++;
            firstError = firstError == null ? t.error() : firstError;
        }
    }

    long trials() {
        return trials;
    }

    long errors() {
        return errors;
    }

    String firstError() {
        return firstError;
    }

    double accuracy() {
        return graded == 0 ? 0 : (double) correct / graded;
    }
}

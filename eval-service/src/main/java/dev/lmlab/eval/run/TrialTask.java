package dev.lmlab.eval.run;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.grading.Grade;
import dev.lmlab.eval.grading.Grader;
import dev.lmlab.eval.protocol.Protocol;
import dev.lmlab.eval.protocol.Session;
import dev.lmlab.eval.protocol.Turn;
import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetException;
import java.util.List;
import java.util.concurrent.Callable;

/** One trial on a pool thread: the protocol's exchange with the target, then the grade. Never throws for a target. */
record TrialTask(
        BenchmarkItem item, int trial, long seed, Protocol protocol, Grader grader, Target target, Sampling sampling)
        implements Callable<Trial> {

    @Override
    public Trial call() throws InterruptedException {
        long start = System.nanoTime();
        Session session;
        try {
            session = protocol.run(target, item.data(), sampling, seed);
        } catch (TargetException e) {
            return failed(e.getMessage(), start);
        }
        Grade grade;
        try {
            grade = grader.grade(item.data(), session.prompt(), session.response());
        } catch (RuntimeException e) {
            // a grader that breaks on one response must not take the run's other trials with it
            return failed("grading failed: " + e, start);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        boolean judgeError = grade.isJudgeError();
        return new Trial(
                item.id(),
                trial,
                judgeError ? Trial.JUDGE_ERROR : Trial.GRADED,
                judgeError ? null : grade.score(),
                judgeError ? null : grade.correct(),
                session.prompt(),
                session.transcript(),
                session.response(),
                grade.rationale(),
                grade.judgeOutput(),
                judgeError ? grade.judgeError() : null,
                millis,
                session.promptTokens(),
                session.completionTokens());
    }

    private Trial failed(String reason, long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        return new Trial(
                item.id(),
                trial,
                Trial.ERROR,
                null,
                null,
                null,
                List.<Turn>of(),
                null,
                null,
                null,
                reason,
                millis,
                null,
                null);
    }
}

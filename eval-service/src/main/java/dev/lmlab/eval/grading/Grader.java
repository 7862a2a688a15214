package dev.lmlab.eval.grading;

import tools.jackson.databind.node.ObjectNode;

/** Scores one response to one benchmark item. Built from a JSON spec by {@link Graders}; stateless and thread-safe. */
public interface Grader {

    /**
     * @param item the benchmark item, all its fields
     * @param prompt what the graded response answered (the rendered prompt, or the test probe of a session)
     * @param response the response; for session protocols the first answer to the test probe
     */
    Grade grade(ObjectNode item, String prompt, String response) throws InterruptedException;

    /**
     * Checks at import that {@code item} carries what this grader reads; throws {@link IllegalArgumentException} with
     * a message naming the field.
     */
    default void checkItem(ObjectNode item) {}

    /** Whether grading calls a judge model (so the run opens a target for it). */
    default boolean usesJudge() {
        return false;
    }
}

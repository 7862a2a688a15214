package dev.lmlab.eval.grading;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/**
 * A weighted mix of graders: the score is the weighted mean of theirs, and the response passes when that mean
 * reaches {@code passThreshold}. A judge error in any part makes the whole verdict a judge error.
 */
record CompositeGrader(List<Part> parts, double passThreshold) implements Grader {

    record Part(double weight, Grader grader) {}

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) throws InterruptedException {
        double weighted = 0;
        double weights = 0;
        List<String> why = new ArrayList<>();
        List<String> judgeOutputs = new ArrayList<>();
        for (Part part : parts) {
            Grade g = part.grader().grade(item, prompt, response);
            if (g.judgeOutput() != null) {
                judgeOutputs.add(g.judgeOutput());
            }
            if (g.isJudgeError()) {
                return Grade.judgeFailed(g.judgeError(), String.join("\n---\n", judgeOutputs));
            }
            weighted += part.weight() * g.score();
            weights += part.weight();
            why.add(String.format(Locale.ROOT, "%.2f×%.2f: %s", part.weight(), g.score(), g.rationale()));
        }
        double score = weighted / weights;
        return new Grade(
                score,
                score >= passThreshold,
                String.join("; ", why),
                judgeOutputs.isEmpty() ? null : String.join("\n---\n", judgeOutputs),
                null);
    }

    @Override
    public void checkItem(ObjectNode item) {
        parts.forEach(p -> p.grader().checkItem(item));
    }

    @Override
    public boolean usesJudge() {
        return parts.stream().anyMatch(p -> p.grader().usesJudge());
    }
}

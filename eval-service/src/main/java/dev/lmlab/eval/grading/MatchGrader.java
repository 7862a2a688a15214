package dev.lmlab.eval.grading;

import tools.jackson.databind.node.ObjectNode;

/** Compares the response with the item's reference answer: exactly, normalised, or as a prefix. */
record MatchGrader(AnswerMatch match, String answerField) implements Grader {

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) {
        String answer = ItemFields.text(item, answerField);
        boolean ok = match.matches(response, answer);
        return Grade.of(
                ok,
                (ok ? "matches" : "does not match") + " '" + answer + "' ("
                        + match.name().toLowerCase() + ")");
    }

    @Override
    public void checkItem(ObjectNode item) {
        ItemFields.requireText(item, answerField, match.name().toLowerCase());
    }
}

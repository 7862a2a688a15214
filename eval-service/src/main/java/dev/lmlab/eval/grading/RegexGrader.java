package dev.lmlab.eval.grading;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * Regular expressions over the response, two ways. Search (the default): the response passes when the pattern is
 * found anywhere, or, with {@code negate}, when it is not (an inhibition item passes when the model does not repeat
 * the failed action). Extract ({@code extract: true}): the first match's group (1 when the pattern has one) is the
 * model's answer, compared with the item's reference answer after normalisation.
 */
record RegexGrader(Pattern pattern, boolean negate, boolean extract, String answerField) implements Grader {

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) {
        Matcher m = pattern.matcher(response);
        boolean found = m.find();
        if (!extract) {
            boolean ok = found != negate;
            String what = found ? "found /" + pattern.pattern() + "/ ('" + m.group() + "')" : "no /" + pattern + "/";
            return Grade.of(ok, what + (negate ? " (must be absent)" : ""));
        }
        String answer = ItemFields.text(item, answerField);
        if (!found) {
            return Grade.fail("no answer extracted by /" + pattern + "/");
        }
        String extracted = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
        boolean ok = AnswerMatch.NORMALIZED.matches(extracted, answer);
        return Grade.of(ok, "extracted '" + extracted + "', reference '" + answer + "'");
    }

    @Override
    public void checkItem(ObjectNode item) {
        if (extract) {
            ItemFields.requireText(item, answerField, "regex");
        }
    }
}

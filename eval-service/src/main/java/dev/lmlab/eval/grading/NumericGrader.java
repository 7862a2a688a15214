package dev.lmlab.eval.grading;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * The response's first or last number (thousands separators dropped) against the reference, within an absolute
 * tolerance, or a relative one ({@code |x − y| ≤ tol·|y|}).
 */
record NumericGrader(double tolerance, boolean relative, boolean last, String answerField) implements Grader {

    private static final Pattern NUMBER =
            Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|[-+]?\\.\\d+");

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) {
        double reference = Double.parseDouble(
                ItemFields.text(item, answerField).replace(",", "").strip());
        List<String> numbers = new ArrayList<>();
        Matcher m = NUMBER.matcher(response);
        while (m.find()) {
            numbers.add(m.group());
        }
        if (numbers.isEmpty()) {
            return Grade.fail("no number in the response");
        }
        String picked = last ? numbers.get(numbers.size() - 1) : numbers.get(0);
        double value = Double.parseDouble(picked.replace(",", ""));
        double allowed = relative ? tolerance * Math.abs(reference) : tolerance;
        boolean ok = Math.abs(value - reference) <= allowed;
        return Grade.of(
                ok,
                String.format(
                        Locale.ROOT,
                        "%s %s vs %s (±%g)",
                        last ? "last number" : "first number",
                        picked,
                        ItemFields.text(item, answerField),
                        allowed));
    }

    @Override
    public void checkItem(ObjectNode item) {
        ItemFields.requireText(item, answerField, "numeric");
        try {
            Double.parseDouble(
                    ItemFields.text(item, answerField).replace(",", "").strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the numeric grader's '" + answerField + "' must be a number, not '"
                    + ItemFields.text(item, answerField) + "'");
        }
    }
}

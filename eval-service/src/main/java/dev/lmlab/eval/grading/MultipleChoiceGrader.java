package dev.lmlab.eval.grading;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Multiple choice: the item lists its {@code choices} and names the right one by letter (A, B, ...), by 0-based
 * index, or by its text. The response's choice is the first standalone option letter (A., (B), "answer: C"), or
 * failing that the one choice whose text it contains.
 */
record MultipleChoiceGrader(String choicesField, String answerField) implements Grader {

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) {
        JsonNode choices = item.get(choicesField);
        int right = answerIndex(item, choices);
        int picked = picked(response, choices);
        if (picked < 0) {
            return Grade.fail("no option chosen (expected " + letter(right) + ")");
        }
        return Grade.of(picked == right, "chose " + letter(picked) + ", expected " + letter(right));
    }

    @Override
    public void checkItem(ObjectNode item) {
        JsonNode choices = item.get(choicesField);
        if (choices == null || !choices.isArray() || choices.size() < 2 || choices.size() > 26) {
            throw new IllegalArgumentException(
                    "the multiple_choice grader reads '" + choicesField + "', a list of 2 to 26 options");
        }
        if (answerIndex(item, choices) < 0) {
            throw new IllegalArgumentException("'" + answerField + "' names none of the " + choices.size()
                    + " choices (give a letter, a 0-based index or the choice's text)");
        }
    }

    private int answerIndex(ObjectNode item, JsonNode choices) {
        JsonNode answer = item.get(answerField);
        if (answer == null || choices == null) {
            return -1;
        }
        if (answer.isIntegralNumber()) {
            int i = answer.asInt();
            return i >= 0 && i < choices.size() ? i : -1;
        }
        String text = answer.asString().strip();
        if (text.length() == 1 && Character.isLetter(text.charAt(0))) {
            int i = Character.toUpperCase(text.charAt(0)) - 'A';
            return i >= 0 && i < choices.size() ? i : -1;
        }
        for (int i = 0; i < choices.size(); i++) {
            if (AnswerMatch.NORMALIZED.matches(choices.get(i).asString(), text)) {
                return i;
            }
        }
        return -1;
    }

    private static int picked(String response, JsonNode choices) {
        String range = "[A-" + (char) ('A' + choices.size() - 1) + "]";
        // most explicit first: "answer: C", a leading "B." or "(B)", "(C)" anywhere, then any standalone capital
        for (String form : new String[] {
            "(?i:answer)\\s*(?:is|:)?\\s*\\(?(" + range + ")(?![A-Za-z])",
            "^\\s*\\(?(" + range + ")(?:[).:]|\\s|$)",
            "\\((" + range + ")\\)",
            "(?<![A-Za-z'])(" + range + ")(?![A-Za-z'])"
        }) {
            Matcher m = Pattern.compile(form).matcher(response);
            if (m.find()) {
                return m.group(1).charAt(0) - 'A';
            }
        }
        String normalized = AnswerMatch.normalize(response);
        int found = -1;
        for (int i = 0; i < choices.size(); i++) {
            String choice = AnswerMatch.normalize(choices.get(i).asString());
            if (!choice.isEmpty() && (" " + normalized + " ").contains(" " + choice + " ")) {
                if (found >= 0) {
                    return -1; // names several options: no single choice
                }
                found = i;
            }
        }
        return found;
    }

    private static String letter(int index) {
        return String.valueOf((char) ('A' + index)).toUpperCase(Locale.ROOT);
    }
}

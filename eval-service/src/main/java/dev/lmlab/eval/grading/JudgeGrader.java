package dev.lmlab.eval.grading;

import dev.lmlab.eval.target.Message;
import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An LLM judge with a rubric. The judge (any target) sees the task, the reference answer when the item has one, the
 * response and the rubric, at temperature 0, and must answer with one JSON object {@code {"scores": {name: n},
 * "rationale": "..."}}. The score is the weighted mean of the rubric scores mapped onto [0, 1]. A verdict that cannot
 * be read (no JSON, a rubric item missing or out of range) or a judge that fails to answer is a judge error: kept
 * with the judge's raw output, excluded from the score and counted.
 */
final class JudgeGrader implements Grader {

    private final Supplier<Target> judge;
    private final List<RubricItem> rubric;
    private final int min;
    private final int max;
    private final double passThreshold;
    private final String instructions;
    private final String answerField;
    private final int maxTokens;
    private final JsonMapper json;

    JudgeGrader(
            Supplier<Target> judge,
            List<RubricItem> rubric,
            int min,
            int max,
            double passThreshold,
            String instructions,
            String answerField,
            int maxTokens,
            JsonMapper json) {
        this.judge = judge;
        this.rubric = List.copyOf(rubric);
        this.min = min;
        this.max = max;
        this.passThreshold = passThreshold;
        this.instructions = instructions;
        this.answerField = answerField;
        this.maxTokens = maxTokens;
        this.json = json;
    }

    @Override
    public boolean usesJudge() {
        return true;
    }

    @Override
    public Grade grade(ObjectNode item, String prompt, String response) throws InterruptedException {
        List<Message> messages = List.of(
                Message.system("You grade a model's response against a rubric. Reply with one JSON object and"
                        + " nothing else."),
                Message.user(judgePrompt(item, prompt, response)));
        String output;
        try {
            output = judge.get().chat(messages, Sampling.greedy(maxTokens), 0).text();
        } catch (TargetException e) {
            return Grade.judgeFailed("the judge did not answer: " + e.getMessage(), null);
        }
        return verdict(output);
    }

    String judgePrompt(ObjectNode item, String prompt, String response) {
        StringBuilder p = new StringBuilder();
        if (instructions != null && !instructions.isBlank()) {
            p.append(instructions.strip()).append("\n\n");
        }
        p.append("Task given to the model:\n").append(prompt).append("\n\n");
        String reference = ItemFields.text(item, answerField);
        if (reference != null) {
            p.append("Reference answer:\n").append(reference).append("\n\n");
        }
        p.append("Response to grade:\n").append(response).append("\n\n");
        p.append(String.format(Locale.ROOT, "Rubric (score each item with an integer from %d to %d):\n", min, max));
        for (RubricItem r : rubric) {
            p.append("- ").append(r.name()).append(": ").append(r.description()).append('\n');
        }
        p.append("\nReply with exactly one JSON object: {\"scores\": {");
        for (int i = 0; i < rubric.size(); i++) {
            p.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(rubric.get(i).name())
                    .append("\": <integer>");
        }
        p.append("}, \"rationale\": \"<one sentence>\"}");
        return p.toString();
    }

    /** Reads a judge's output; anything short of a complete, in-range verdict is a judge error. */
    Grade verdict(String output) {
        JsonNode verdict = firstObject(output);
        if (verdict == null) {
            return Grade.judgeFailed("the judge's output holds no JSON object", output);
        }
        JsonNode scores = verdict.path("scores");
        if (!scores.isObject()) {
            return Grade.judgeFailed("the judge's verdict has no \"scores\" object", output);
        }
        double weighted = 0;
        double weights = 0;
        Map<String, Double> given = new LinkedHashMap<>();
        for (RubricItem r : rubric) {
            JsonNode s = scores.get(r.name());
            if (s == null || !s.isNumber()) {
                return Grade.judgeFailed("the judge gave no score for rubric item '" + r.name() + "'", output);
            }
            double v = s.asDouble();
            if (v < min || v > max) {
                return Grade.judgeFailed(
                        "the judge scored '" + r.name() + "' " + v + ", outside " + min + ".." + max, output);
            }
            given.put(r.name(), v);
            weighted += r.weight() * (max == min ? 1 : (v - min) / (max - min));
            weights += r.weight();
        }
        double score = weighted / weights;
        String rationale = verdict.path("rationale").asString("");
        return new Grade(
                score,
                score >= passThreshold,
                given + (rationale.isEmpty() ? "" : " " + rationale),
                output,
                null,
                given);
    }

    /** The first balanced {...} in the text that parses as a JSON object (judges often wrap it in prose or fences). */
    private JsonNode firstObject(String text) {
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                starts.add(i);
            }
        }
        for (int start : starts) {
            int end = balancedEnd(text, start);
            if (end < 0) {
                continue;
            }
            try {
                JsonNode node = json.readTree(text.substring(start, end + 1));
                if (node.isObject()) {
                    return node;
                }
            } catch (JacksonException e) {
                // not JSON after all; try the next brace
            }
        }
        return null;
    }

    private static int balancedEnd(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}

package dev.lmlab.interp.sets;

import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a labelled input set: one JSON object a line with an input form, optional {@code id} and {@code labels}.
 * Every line is checked before anything is captured; the first bad one is a 400 naming its line.
 */
public final class LabelledInputs {

    static final Set<String> FORMS = Set.of("text", "prompt", "response", "messages", "input_ids", "prompt_length");
    static final int MAX_LABELS = 32;

    private LabelledInputs() {}

    public static List<LabelledInput> parse(List<Jsonl.Line> lines, int maxRows) {
        if (lines.isEmpty()) {
            throw invalid(0, "the input set is empty");
        }
        if (lines.size() > maxRows) {
            throw invalid(0, "the input set has " + lines.size() + " rows; the most is " + maxRows);
        }
        List<LabelledInput> rows = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Jsonl.Line line : lines) {
            LabelledInput row = row(line, rows.size());
            if (!ids.add(row.id())) {
                throw invalid(line.number(), "duplicate id '" + row.id() + "'");
            }
            rows.add(row);
        }
        return rows;
    }

    private static LabelledInput row(Jsonl.Line line, int index) {
        JsonNode v = line.value();
        int n = line.number();
        if (v.isString()) {
            return new LabelledInput("row-" + index, textInput(v.asString()), Map.of());
        }
        if (!v.isObject()) {
            throw invalid(n, "each line is an object such as {\"text\": \"...\", \"labels\": {\"pole\": \"high\"}}");
        }
        ObjectNode input = ((ObjectNode) v).deepCopy();
        JsonNode id = input.remove("id");
        JsonNode labels = input.remove("labels");
        for (String field : input.propertyNames()) {
            if (!FORMS.contains(field)) {
                throw invalid(
                        n,
                        "unknown field '" + field + "'; a line holds id, labels and one input form ("
                                + "text | prompt + response | messages | input_ids + prompt_length)");
            }
        }
        boolean text = input.has("text");
        boolean pair = input.has("prompt");
        boolean chat = input.has("messages");
        boolean ids = input.has("input_ids");
        int forms = (text ? 1 : 0) + (pair ? 1 : 0) + (chat ? 1 : 0) + (ids ? 1 : 0);
        if (forms != 1) {
            throw invalid(n, "give exactly one input form: text, prompt (+ response), messages or input_ids");
        }
        if ((text && !input.get("text").isString())
                || (pair && !input.get("prompt").isString())
                || (chat && !input.get("messages").isArray())
                || (ids && !input.get("input_ids").isArray())) {
            throw invalid(n, "text and prompt are strings; messages and input_ids are lists");
        }
        if (text && input.get("text").asString().isEmpty()) {
            throw invalid(n, "text is empty");
        }
        return new LabelledInput(id == null || id.isNull() ? "row-" + index : idOf(id, n), input, labels(labels, n));
    }

    private static String idOf(JsonNode id, int line) {
        if (!(id.isString() || id.isIntegralNumber())
                || id.asString().isBlank()
                || id.asString().length() > 200) {
            throw invalid(line, "id is a non-empty string or an integer");
        }
        return id.asString();
    }

    private static Map<String, String> labels(JsonNode labels, int line) {
        if (labels == null || labels.isNull()) {
            return Map.of();
        }
        if (!labels.isObject() || labels.size() > MAX_LABELS) {
            throw invalid(line, "labels is an object of up to " + MAX_LABELS + " key: value pairs");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : labels.properties()) {
            JsonNode value = e.getValue();
            if (!(value.isString() || value.isNumber() || value.isBoolean())) {
                throw invalid(line, "label '" + e.getKey() + "' must be a string, number or boolean");
            }
            out.put(e.getKey(), value.asString());
        }
        return out;
    }

    /** Label key → value → how many rows carry it. */
    public static Map<String, Map<String, Integer>> counts(List<LabelledInput> rows) {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        for (LabelledInput row : rows) {
            row.labels()
                    .forEach((k, v) ->
                            counts.computeIfAbsent(k, x -> new TreeMap<>()).merge(v, 1, Integer::sum));
        }
        return counts;
    }

    private static JsonNode textInput(String text) {
        ObjectNode node = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        node.put("text", text);
        return node;
    }

    static ApiException invalid(int line, String detail) {
        ApiException e =
                ApiException.badRequest("invalid-input-set", line > 0 ? "line " + line + ": " + detail : detail);
        return line > 0 ? e.with("line", line) : e;
    }

    static Map<String, Object> describe(LabelledInput row) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", row.id());
        d.put("labels", row.labels());
        return d;
    }
}

package dev.lmlab.interp.sets;

import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Which rows of a set a request means: {@code {"trait": "openness", "pole": "high"}} (every key must match; a list
 * of values matches any of them). Keys and values are checked against the set's labels, so a typo is a 400 that
 * lists what exists rather than an empty group.
 */
public record LabelFilter(Map<String, List<String>> values) {

    public static final LabelFilter ALL = new LabelFilter(Map.of());

    public static LabelFilter parse(JsonNode node, ActivationSet set, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return ALL;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid-labels", field + " is an object of label: value (or [values])")
                    .with("field", field);
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Map<String, Integer> known = set.labelCounts().get(e.getKey());
            if (known == null) {
                throw ApiException.badRequest(
                                "unknown-label",
                                field + ": the set has no label '" + e.getKey() + "'; its labels are "
                                        + set.labelCounts().keySet())
                        .with("field", field + "." + e.getKey());
            }
            List<String> wanted = new ArrayList<>();
            for (JsonNode v : e.getValue().isArray() ? e.getValue() : List.of(e.getValue())) {
                String value = v.asString();
                if (!known.containsKey(value)) {
                    throw ApiException.badRequest(
                                    "unknown-label",
                                    field + ": label '" + e.getKey() + "' has no value '" + value + "'; it has "
                                            + known.keySet())
                            .with("field", field + "." + e.getKey());
                }
                wanted.add(value);
            }
            values.put(e.getKey(), wanted);
        }
        return new LabelFilter(values);
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            if (!e.getValue().contains(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Only the rows matching, and an empty group is a 400. */
    public static int[] rows(List<Map<String, String>> labels, LabelFilter filter, String field) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (filter.matches(labels.get(i))) {
                out.add(i);
            }
        }
        if (out.isEmpty()) {
            throw ApiException.badRequest("empty-group", field + " " + filter.values() + " matches no row of the set")
                    .with("field", field);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}

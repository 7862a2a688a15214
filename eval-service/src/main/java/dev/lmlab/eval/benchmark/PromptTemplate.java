package dev.lmlab.eval.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prompt templates with {@code {{field}}} placeholders filled from an item's fields. A list is written one element a
 * line, or as lettered options with {@code {{field|lettered}}} ("A. …", "B. …"). Anything else between braces is
 * refused at import, as is an item that lacks a field the template names.
 */
public final class PromptTemplate {

    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\|\\s*(\\w+)\\s*)?}}");

    private final String text;
    private final List<String> variables = new ArrayList<>();

    public PromptTemplate(String text) {
        this.text = text;
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (m.group(2) != null && !m.group(2).equals("lettered")) {
                throw new IllegalArgumentException(
                        "unknown filter '|" + m.group(2) + "' in {{" + m.group(1) + "}}; the one filter is |lettered");
            }
            variables.add(m.group(1));
        }
        String rest = PLACEHOLDER.matcher(text).replaceAll("");
        if (rest.contains("{{")) {
            throw new IllegalArgumentException("a placeholder is malformed near '"
                    + rest.substring(rest.indexOf("{{"), Math.min(rest.length(), rest.indexOf("{{") + 30))
                    + "'; write {{field}} or {{field|lettered}}");
        }
    }

    /** The fields of {@code item} the template needs but the item lacks. */
    public List<String> missing(ObjectNode item) {
        return variables.stream()
                .filter(v -> item.get(v) == null || item.get(v).isNull())
                .distinct()
                .toList();
    }

    public String render(ObjectNode item) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(item.get(m.group(1)), m.group(2) != null)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String value(JsonNode v, boolean lettered) {
        if (v.isArray()) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < v.size(); i++) {
                s.append(i == 0 ? "" : "\n");
                s.append(lettered ? (char) ('A' + i) + ". " : "")
                        .append(
                                v.get(i).isString()
                                        ? v.get(i).asString()
                                        : v.get(i).toString());
            }
            return s.toString();
        }
        return v.isString() ? v.asString() : v.toString();
    }
}

package dev.lmlab.eval.grading;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading the fields graders compare against, with the import-time messages that name what is missing. */
final class ItemFields {

    private ItemFields() {}

    static String text(ObjectNode item, String field) {
        JsonNode value = item.get(field);
        return value == null || value.isNull() ? null : value.isString() ? value.asString() : value.toString();
    }

    static void requireText(ObjectNode item, String field, String grader) {
        JsonNode value = item.get(field);
        if (value == null || !(value.isString() || value.isNumber())) {
            throw new IllegalArgumentException(
                    "the " + grader + " grader reads '" + field + "', which is missing or not a string or number");
        }
    }
}

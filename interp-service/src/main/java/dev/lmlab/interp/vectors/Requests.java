package dev.lmlab.interp.vectors;

import dev.lmlab.platform.web.ApiException;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Reading hand-parsed request bodies strictly: unknown fields, missing ones and wrong types are 400s naming them. */
public final class Requests {

    private Requests() {}

    public static void object(JsonNode body, String shape) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid-params", "the body is an object: " + shape);
        }
    }

    public static void allowOnly(JsonNode body, String... known) {
        Set<String> allowed = Set.of(known);
        for (String name : body.propertyNames()) {
            if (!allowed.contains(name)) {
                throw ApiException.badRequest(
                                "invalid-params",
                                "unknown field '" + name + "'; the fields are " + new TreeSet<>(allowed))
                        .with("field", name);
            }
        }
    }

    public static JsonNode required(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("invalid-params", field + " is required")
                    .with("field", field);
        }
        return v;
    }

    public static String text(JsonNode body, String field) {
        JsonNode v = required(body, field);
        if (!v.isString() || v.asString().isBlank()) {
            throw ApiException.badRequest("invalid-params", field + " is a non-empty string")
                    .with("field", field);
        }
        return v.asString();
    }

    public static UUID uuid(JsonNode body, String field) {
        String v = text(body, field);
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-params", field + " is an id (UUID), not '" + v + "'")
                    .with("field", field);
        }
    }
}

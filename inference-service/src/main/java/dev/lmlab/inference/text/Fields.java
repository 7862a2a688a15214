package dev.lmlab.inference.text;

import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Reads optional fields of a JSON request body, refusing wrong types and values out of range with 400. */
public final class Fields {

    private Fields() {}

    public static boolean has(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    public static Integer integer(JsonNode body, String field, Integer fallback, long min, long max) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber()) {
            throw invalid(field, "'" + field + "' must be an integer, got " + v);
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw invalid(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + x);
        }
        return (int) x;
    }

    public static Long longValue(JsonNode body, String field, Long fallback) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber()) {
            throw invalid(field, "'" + field + "' must be an integer, got " + v);
        }
        return v.asLong();
    }

    public static Double number(JsonNode body, String field, Double fallback, double min, double max) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw invalid(field, "'" + field + "' must be a number in [" + min + ", " + max + "], got " + v);
        }
        return v.asDouble();
    }

    public static boolean bool(JsonNode body, String field, boolean fallback) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isBoolean()) {
            throw invalid(field, "'" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    public static String string(JsonNode body, String field, String fallback) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isString()) {
            throw invalid(field, "'" + field + "' must be a string, got " + v);
        }
        return v.asString();
    }

    public static String required(JsonNode body, String field) {
        String s = string(body, field, null);
        if (s == null || s.isBlank()) {
            throw invalid(field, "'" + field + "' is required");
        }
        return s;
    }

    /** A string or a list of strings (OpenAI's {@code stop}). */
    public static List<String> strings(JsonNode body, String field, int maxItems) {
        if (!has(body, field)) {
            return List.of();
        }
        JsonNode v = body.get(field);
        List<String> out = new ArrayList<>();
        if (v.isString()) {
            out.add(v.asString());
        } else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isString()) {
                    throw invalid(field, "'" + field + "' must hold strings, got " + s);
                }
                out.add(s.asString());
            }
        } else {
            throw invalid(field, "'" + field + "' must be a string or a list of strings");
        }
        if (out.size() > maxItems) {
            throw invalid(field, "'" + field + "' holds at most " + maxItems + " items, got " + out.size());
        }
        return out;
    }

    public static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-field", detail).with("field", field);
    }
}

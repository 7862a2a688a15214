package dev.lmlab.gateway.runs;

import dev.lmlab.platform.run.RunFilter;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.platform.web.ApiException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.util.MultiValueMap;

/**
 * Reads {@code GET /api/runs} query parameters strictly: an unknown parameter or value is a 400 that lists the
 * valid ones, because a silently ignored filter returns the wrong runs.
 */
final class RunQueryParser {

    static final Set<String> PARAMETERS =
            Set.of("service", "kind", "status", "tag", "parent", "created_after", "created_before", "page", "size");

    record Query(RunFilter filter, int page, int size) {}

    private RunQueryParser() {}

    static Query parse(MultiValueMap<String, String> params) {
        for (String name : params.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.badRequest(
                                "unknown-parameter",
                                "Unknown query parameter '" + name + "'; runs can be filtered by "
                                        + PARAMETERS.stream().sorted().toList() + ".")
                        .with("valid_parameters", PARAMETERS.stream().sorted().toList());
            }
        }
        List<RunStatus> statuses = new ArrayList<>();
        for (String value : all(params, "status")) {
            try {
                statuses.add(RunStatus.parse(value));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(
                                "invalid-parameter",
                                "Unknown status '" + value + "'; valid: " + Arrays.toString(RunStatus.values()) + ".")
                        .with("parameter", "status");
            }
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : all(params, "tag")) {
            int colon = tag.indexOf(':');
            String key = colon < 0 ? tag : tag.substring(0, colon);
            if (key.isBlank()) {
                throw ApiException.badRequest(
                                "invalid-parameter", "tag must be 'key' or 'key:value', got '" + tag + "'")
                        .with("parameter", "tag");
            }
            tags.put(key, colon < 0 ? null : tag.substring(colon + 1));
        }
        RunFilter filter = new RunFilter(
                single(params, "service"),
                single(params, "kind"),
                statuses,
                tags,
                uuid(params, "parent"),
                instant(params, "created_after"),
                instant(params, "created_before"));
        return new Query(filter, integer(params, "page", 0), integer(params, "size", 50));
    }

    /** Values of a parameter, comma-separated lists and repeats alike. */
    private static List<String> all(MultiValueMap<String, String> params, String name) {
        List<String> values = new ArrayList<>();
        for (String v : params.getOrDefault(name, List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
        }
        return values;
    }

    private static String single(MultiValueMap<String, String> params, String name) {
        List<String> values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw ApiException.badRequest("invalid-parameter", "'" + name + "' may be given once")
                    .with("parameter", name);
        }
        return values.isEmpty() || values.get(0).isBlank()
                ? null
                : values.get(0).trim();
    }

    private static UUID uuid(MultiValueMap<String, String> params, String name) {
        String v = single(params, name);
        try {
            return v == null ? null : UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                            "invalid-parameter", "'" + name + "' must be a run id (UUID), got '" + v + "'")
                    .with("parameter", name);
        }
    }

    private static Instant instant(MultiValueMap<String, String> params, String name) {
        String v = single(params, name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                            "invalid-parameter",
                            "'" + name + "' must be an ISO-8601 instant such as 2026-12-01T00:00:00Z, got '" + v + "'")
                    .with("parameter", name);
        }
    }

    private static int integer(MultiValueMap<String, String> params, String name, int fallback) {
        String v = single(params, name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid-parameter", "'" + name + "' must be an integer, got '" + v + "'")
                    .with("parameter", name);
        }
    }
}

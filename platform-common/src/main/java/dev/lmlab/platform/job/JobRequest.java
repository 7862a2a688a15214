package dev.lmlab.platform.job;

import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job submission.
 *
 * @param kind which job, from {@code GET /jobs/kinds}
 * @param name a label for people; the kind's default when absent
 * @param params the kind's params; its defaults when absent
 * @param tags free labels to filter runs by (for example {@code paper: tabom})
 * @param parentRunId a run this one belongs to (an eval started by a training run, say)
 */
public record JobRequest(
        @NotBlank @Size(max = 100) String kind,
        @Size(max = 200) String name,
        JsonNode params,
        @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @Size(max = 500) String> tags,
        UUID parentRunId) {

    /** Fields of a flat request body that describe the run rather than the job's params. */
    public static final Set<String> ENVELOPE = Set.of("name", "tags", "parent_run_id");

    /**
     * A submission from a flat request body, as the services' own endpoints take them ({@code POST /runs}, {@code
     * POST /activation-sets}): {@code name}, {@code tags} and {@code parent_run_id} describe the run, everything else
     * but {@code alsoNotParams} is the job's params.
     */
    public static JobRequest fromBody(String kind, JsonNode body, Set<String> alsoNotParams) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid-params", "the body is a JSON object of the job's fields");
        }
        ObjectNode params = ((ObjectNode) body).deepCopy();
        ENVELOPE.forEach(params::remove);
        alsoNotParams.forEach(params::remove);
        Map<String, String> tags = new LinkedHashMap<>();
        body.path("tags")
                .properties()
                .forEach(e -> tags.put(e.getKey(), e.getValue().asString()));
        String name = body.path("name").isString() ? body.get("name").asString() : null;
        UUID parent = null;
        if (body.hasNonNull("parent_run_id")) {
            try {
                parent = UUID.fromString(body.get("parent_run_id").asString());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-params", "parent_run_id is a run id (UUID)")
                        .with("field", "parent_run_id");
            }
        }
        return new JobRequest(kind, name, params, tags, parent);
    }
}

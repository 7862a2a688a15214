package dev.lmlab.platform.job;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

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
        UUID parentRunId) {}

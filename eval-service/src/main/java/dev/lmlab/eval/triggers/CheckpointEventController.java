package dev.lmlab.eval.triggers;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lmlab.platform.job.JobRequest;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The training service announces checkpoints here. Each benchmark item file the event names becomes a {@code
 * benchmark} run, and every checkpoint trigger whose rule matches starts its eval runs; all are children of the
 * training run. The same event twice (a resumed training job repeats its announcements) starts
 * nothing new: the runs it started the first time are returned.
 */
@RestController
class CheckpointEventController {

    private final JobService jobs;
    private final Triggers triggers;

    CheckpointEventController(JobService jobs, Triggers triggers) {
        this.jobs = jobs;
        this.triggers = triggers;
    }

    /**
     * @param trainingRunId the training run the checkpoint belongs to; the evaluation runs become its children
     * @param model the id the checkpoint is served under by the inference service
     * @param last whether this is the training run's final checkpoint (false when absent)
     * @param benchmarks benchmark item files (JSONL under the artifacts root); may be empty when triggers do the work
     * @param settings benchmark-run params applied to every benchmark (samples, temperature, max_tokens...)
     */
    record CheckpointEvent(
            @NotNull UUID trainingRunId,
            @NotNull @PositiveOrZero Long step,
            @NotBlank @Size(max = 128) String model,
            @JsonProperty("final") Boolean last,
            @Size(max = 20) List<@NotBlank String> benchmarks,
            JsonNode settings) {}

    @PostMapping("/checkpoint-events")
    ResponseEntity<Map<String, Object>> checkpoint(@Valid @RequestBody CheckpointEvent event, HttpServletRequest http) {
        if (event.settings() != null
                && !event.settings().isNull()
                && !event.settings().isObject()) {
            throw ApiException.badRequest("invalid-settings", "settings must be an object of benchmark-run params")
                    .with("field", "settings");
        }
        List<Run> runs = new ArrayList<>();
        boolean replayed = true;
        List<String> files = event.benchmarks() == null ? List.of() : event.benchmarks();
        for (String benchmark : files) {
            ObjectNode params = event.settings() == null || event.settings().isNull()
                    ? JsonNodeFactory.instance.objectNode()
                    : ((ObjectNode) event.settings()).deepCopy();
            params.put("model", event.model());
            params.put("items", benchmark);
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("trigger", "checkpoint");
            tags.put("training_run", event.trainingRunId().toString());
            tags.put("step", String.valueOf(event.step()));
            if (Boolean.TRUE.equals(event.last())) {
                tags.put("final", "true");
            }
            JobRequest request = new JobRequest(
                    "benchmark", benchmark + " @ step " + event.step(), params, tags, event.trainingRunId());
            // one key per (training run, step, model, benchmark): a repeated event finds the runs it started
            String key = "checkpoint:"
                    + Digests.sha256Hex(
                            event.trainingRunId() + "\n" + event.step() + "\n" + event.model() + "\n" + benchmark);
            JobService.Submission s = jobs.submit(request, Caller.of(http), key);
            runs.add(s.run());
            replayed &= !s.created();
        }
        List<Map<String, Object>> triggered = new ArrayList<>();
        for (Triggers.Fired f : triggers.onCheckpoint(
                event.trainingRunId(), event.step(), event.model(), Boolean.TRUE.equals(event.last()))) {
            triggered.add(Triggers.describe(f));
            runs.addAll(f.runs());
            replayed &= f.replayed();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runs", runs);
        body.put("replayed", replayed && !runs.isEmpty());
        body.put("triggered", triggered);
        return ResponseEntity.status(replayed && !runs.isEmpty() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(body);
    }
}

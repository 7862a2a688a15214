package dev.lmlab.gateway.runs;

import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.MetricPoint;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunEvent;
import dev.lmlab.platform.run.RunPage;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

/**
 * The runs view at the gateway: every service's runs, their metric history, artifacts and live events. Scripts
 * outside the platform may also log runs of their own here (service {@code external}), the way they would log
 * to MLflow; runs that belong to a service's job can only be read and cancelled.
 */
@RestController
@RequestMapping("/api/runs")
class RunsController {

    static final String EXTERNAL = "external";
    static final int MAX_HISTORY_POINTS = 100_000;

    private final RunRegistry registry;
    private final IdempotencyKeys idempotency;
    private final RunEventStream events;

    RunsController(RunRegistry registry, IdempotencyKeys idempotency, RunEventStream events) {
        this.registry = registry;
        this.idempotency = idempotency;
        this.events = events;
    }

    @Operation(summary = "List runs, newest first (filters: service, kind, status, tag, parent, created range)")
    @GetMapping
    RunPage list(@RequestParam MultiValueMap<String, String> params) {
        RunQueryParser.Query query = RunQueryParser.parse(params);
        return registry.list(query.filter(), query.page(), query.size());
    }

    @Operation(summary = "One run")
    @GetMapping("/{id}")
    Run get(@PathVariable UUID id) {
        return registry.get(id);
    }

    @Operation(summary = "Metric keys with their last values, or with ?key= the history of one metric")
    @GetMapping("/{id}/metrics")
    Object metrics(
            @PathVariable UUID id,
            @RequestParam(required = false) String key,
            @RequestParam(name = "from_step", defaultValue = "0") long fromStep,
            @RequestParam(defaultValue = "10000") int limit) {
        registry.get(id);
        if (key == null) {
            return registry.metricSummaries(id);
        }
        if (limit < 1 || limit > MAX_HISTORY_POINTS) {
            throw ApiException.badRequest("invalid-parameter", "limit must be 1.." + MAX_HISTORY_POINTS)
                    .with("parameter", "limit");
        }
        return Map.of("key", key, "points", registry.metricHistory(id, key, fromStep, limit));
    }

    @Operation(summary = "Artifacts of a run")
    @GetMapping("/{id}/artifacts")
    List<Artifact> artifacts(@PathVariable UUID id) {
        registry.get(id);
        return registry.artifacts(id);
    }

    @Operation(summary = "Live events (SSE): status, progress, checkpoints; resumes after Last-Event-ID")
    @GetMapping(path = "/{id}/events", params = "!format")
    SseEmitter stream(
            @PathVariable UUID id,
            @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventId,
            @RequestParam(required = false) Long after) {
        registry.get(id);
        return events.subscribe(id, lastEventId != null ? lastEventId : after == null ? 0 : after);
    }

    @Operation(summary = "Events recorded so far as a JSON list (?format=json), for scripts that do not read SSE")
    @GetMapping(path = "/{id}/events", params = "format=json", produces = MediaType.APPLICATION_JSON_VALUE)
    List<RunEvent> eventList(
            @PathVariable UUID id,
            @RequestParam String format,
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(defaultValue = "1000") int limit) {
        registry.get(id);
        if (limit < 1 || limit > 10_000) {
            throw ApiException.badRequest("invalid-parameter", "limit must be 1..10000")
                    .with("parameter", "limit");
        }
        return registry.events(id, after, limit);
    }

    @Operation(summary = "Ask a run to stop: queued runs end at once, running jobs at their next step")
    @PostMapping("/{id}/cancel")
    ResponseEntity<Run> cancel(@PathVariable UUID id) {
        return ResponseEntity.accepted().body(registry.requestCancel(id));
    }

    // ---- runs logged from outside the platform

    record CreateRun(
            @NotBlank @Size(max = 100) String kind,
            @Size(max = 200) String name,
            JsonNode params,
            @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @Size(max = 500) String> tags,
            UUID parentRunId) {}

    @Operation(summary = "Register a run logged by a script outside the platform (service 'external')")
    @PostMapping
    ResponseEntity<Run> create(
            @Valid @RequestBody CreateRun request,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Caller caller = Caller.of(http);
        NewRun run = new NewRun(
                EXTERNAL,
                request.kind(),
                request.name() == null ? request.kind() : request.name(),
                request.params(),
                request.tags(),
                request.parentRunId(),
                caller.keyName());
        IdempotencyKeys.Outcome outcome =
                idempotency.createOnce("gateway:" + caller.keyId(), idempotencyKey, run, () -> registry.create(run));
        return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/api/runs/" + outcome.run().id()))
                .header("Idempotent-Replayed", String.valueOf(!outcome.created()))
                .body(outcome.run());
    }

    /** @param status the next status, if it changes; {@code error} goes with FAILED */
    record UpdateRun(
            String status,
            Double progress,
            @Size(max = 10_000) String error) {}

    @Operation(summary = "Move an external run on: status (checked against the status machine) and progress")
    @PatchMapping("/{id}")
    Run update(@PathVariable UUID id, @RequestBody UpdateRun request) {
        requireExternal(id);
        if (request.progress() != null) {
            registry.setProgress(id, request.progress());
        }
        if (request.status() != null) {
            RunStatus next;
            try {
                next = RunStatus.parse(request.status());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-status", "Unknown status '" + request.status() + "'.");
            }
            return registry.transition(id, next, request.error());
        }
        return registry.get(id);
    }

    record Point(
            @NotBlank String key,
            @NotNull Long step,
            @NotNull Double value,
            Instant time) {}

    record MetricBatch(
            @NotNull @Size(max = RunRegistry.MAX_METRIC_BATCH)
            List<@Valid @NotNull Point> points) {}

    @Operation(summary = "Log a batch of metric points (up to 100000) to an external run")
    @PostMapping("/{id}/metrics")
    ResponseEntity<Map<String, Integer>> logMetrics(@PathVariable UUID id, @Valid @RequestBody MetricBatch batch) {
        requireExternal(id);
        List<MetricPoint> points = new ArrayList<>(batch.points().size());
        for (Point p : batch.points()) {
            points.add(new MetricPoint(p.key(), p.step(), p.value(), p.time()));
        }
        registry.logMetrics(id, points);
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("logged", points.size()));
    }

    record ArtifactRequest(
            @NotBlank @Size(max = 300) String name,
            @NotBlank @Size(max = 2000) String uri,
            String sha256,
            Long sizeBytes,
            @Size(max = 200) String mediaType) {}

    @Operation(summary = "Record an artifact (by URI) of an external run")
    @PostMapping("/{id}/artifacts")
    ResponseEntity<List<Artifact>> addArtifact(@PathVariable UUID id, @Valid @RequestBody ArtifactRequest a) {
        requireExternal(id);
        registry.addArtifact(id, new Artifact(a.name(), a.uri(), a.sha256(), a.sizeBytes(), a.mediaType(), null));
        return ResponseEntity.status(HttpStatus.CREATED).body(registry.artifacts(id));
    }

    private void requireExternal(UUID id) {
        Run run = registry.get(id);
        if (!EXTERNAL.equals(run.service())) {
            throw ApiException.conflict(
                            "run-owned-by-service",
                            "Run " + id + " belongs to the " + run.service() + " service's job, which records it;"
                                    + " it can be read and cancelled here, not written.")
                    .with("service", run.service());
        }
    }
}

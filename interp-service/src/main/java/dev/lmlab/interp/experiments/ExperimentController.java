package dev.lmlab.interp.experiments;

import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.job.JobRequest;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Steering experiments: start a sweep (a durable run), read its dose-response report and plot when it is done. */
@RestController
class ExperimentController {

    private final JobService jobs;
    private final RunRegistry registry;
    private final DataRoot artifacts;

    ExperimentController(JobService jobs, RunRegistry registry, DataRoot artifacts) {
        this.jobs = jobs;
        this.registry = registry;
        this.artifacts = artifacts;
    }

    @Operation(
            summary = "A steering sweep: {model, hook, vector_id | vector | expression, coefficients, prompts,"
                    + " samples, max_tokens, temperature, seed, positions, judge, max_perplexity_ratio}")
    @PostMapping("/experiments/steering")
    ResponseEntity<Run> start(
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Run run = jobs.submit(
                        JobRequest.fromBody(SteeringExperimentJob.KIND, body, Set.of()),
                        Caller.of(http),
                        idempotencyKey)
                .run();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/runs/" + run.id()))
                .body(run);
    }

    @Operation(summary = "The dose-response report (JSON; ?format=markdown), once the run has succeeded")
    @GetMapping("/experiments/{id}/report")
    ResponseEntity<byte[]> report(@PathVariable UUID id, @RequestParam(defaultValue = "json") String format)
            throws IOException {
        if (!Set.of("json", "markdown").contains(format)) {
            throw ApiException.badRequest("invalid-format", "format is json or markdown")
                    .with("field", "format");
        }
        boolean md = format.equals("markdown");
        return file(id, md ? "report.md" : "report.json", md ? "text/markdown;charset=UTF-8" : "application/json");
    }

    @Operation(summary = "The dose-response plot (PNG)")
    @GetMapping("/experiments/{id}/plot")
    ResponseEntity<byte[]> plot(@PathVariable UUID id) throws IOException {
        return file(id, "dose-response.png", "image/png");
    }

    private ResponseEntity<byte[]> file(UUID id, String name, String type) throws IOException {
        Run run = registry.find(id)
                .filter(r -> r.kind().equals(SteeringExperimentJob.KIND))
                .orElseThrow(() -> ApiException.notFound("unknown-experiment", "no steering experiment " + id));
        Path file =
                artifacts.folder().resolve("experiments").resolve(id.toString()).resolve(name);
        if (!Files.exists(file)) {
            throw ApiException.conflict(
                            "experiment-not-finished",
                            "experiment " + id + " is " + run.status() + "; its report is written when it succeeds")
                    .with("status", run.status().name());
        }
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(type)).body(Files.readAllBytes(file));
    }
}

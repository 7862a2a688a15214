package dev.lmlab.platform.job;

import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Durable job submission, the same on every service: {@code POST /jobs} returns the run to follow. */
@RestController
class JobController {

    private final JobService jobs;

    JobController(JobService jobs) {
        this.jobs = jobs;
    }

    @Operation(summary = "Submit a durable job; the response is its run (follow it at /api/runs/{id}/events)")
    @PostMapping("/jobs")
    ResponseEntity<Run> submit(
            @Valid @RequestBody JobRequest request,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        JobService.Submission submission = jobs.submit(request, Caller.of(http), idempotencyKey);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/runs/" + submission.run().id()))
                .header("Idempotent-Replayed", String.valueOf(!submission.created()))
                .body(submission.run());
    }

    @Operation(summary = "The job kinds this service runs, with their default params")
    @GetMapping("/jobs/kinds")
    Map<String, Object> kinds() {
        return jobs.describeKinds();
    }
}

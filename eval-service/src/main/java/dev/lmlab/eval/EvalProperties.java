package dev.lmlab.eval;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param artifactsRoot benchmark item files and results live inside this folder ({@code <home>/artifacts} when
 *     blank); the same folder the other services use
 * @param maxInFlight generation requests one benchmark run keeps open at once (the inference service batches them)
 * @param allowedEndpoints base URLs of OpenAI-compatible endpoints that runs and judges may call; an external
 *     target's base URL must start with one of them (same scheme, host and port, whole path segments). Empty: only
 *     models of the inference service can be graded
 * @param maxConcurrency the most trials one eval run may have in flight
 * @param maxTrials the most trials per item a run may ask for
 */
@Validated
@ConfigurationProperties("lmlab.eval")
public record EvalProperties(
        String artifactsRoot,
        @Min(1) @Max(256) @DefaultValue("8") int maxInFlight,
        @DefaultValue List<URI> allowedEndpoints,
        @Min(1) @Max(1024) @DefaultValue("64") int maxConcurrency,
        @Min(1) @Max(10_000) @DefaultValue("100") int maxTrials) {}

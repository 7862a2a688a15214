package dev.lmlab.eval;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param artifactsRoot benchmark item files and results live inside this folder ({@code <home>/artifacts} when
 *     blank); the same folder the other services use
 * @param maxInFlight generation requests one benchmark run keeps open at once (the inference service batches them)
 */
@Validated
@ConfigurationProperties("lmlab.eval")
public record EvalProperties(
        String artifactsRoot,
        @Min(1) @Max(256) @DefaultValue("8") int maxInFlight) {}

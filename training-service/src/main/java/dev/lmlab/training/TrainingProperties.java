package dev.lmlab.training;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the training service runs jobs.
 *
 * @param modelsRoot checkpoints are written under {@code <root>/runs/<run id>/}, and base models are read from
 *     here; it must be the inference service's models root, since both resolve the same relative paths
 *     ({@code <home>/models} when blank)
 * @param artifactsRoot datasets live inside this folder ({@code <home>/artifacts} when blank)
 * @param concurrentJobs training jobs that compute at once on this process; more wait for a slot (training is
 *     CPU- or GPU-bound, so two jobs at once only slow each other down)
 * @param checkpointReserve free disk space to keep beyond a checkpoint's estimated size; a checkpoint that would
 *     leave less fails the run before anything is written (the previous checkpoint stays intact)
 * @param maxDatasetRows datasets with more rows are refused at submission
 */
@Validated
@ConfigurationProperties("lmlab.training")
public record TrainingProperties(
        String modelsRoot,
        String artifactsRoot,
        @Min(1) @DefaultValue("1") int concurrentJobs,
        @DefaultValue("64MB") DataSize checkpointReserve,
        @Min(1) @DefaultValue("2000000") int maxDatasetRows) {}

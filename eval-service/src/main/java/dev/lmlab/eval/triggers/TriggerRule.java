package dev.lmlab.eval.triggers;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lmlab.eval.target.TargetSpec;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a trigger does.
 *
 * @param match for checkpoint triggers: globs ({@code *}, {@code ?}) on the checkpoint's {@code model} id, the
 *     training run's {@code run} name and {@code run_kind}, and {@code final_only}; absent fields match anything
 * @param benchmarks benchmark refs ({@code name} for the latest version when fired, or {@code name@version})
 * @param run run settings applied to every run it starts (trials, seed, concurrency, grader, ...)
 * @param target for webhook triggers: the target when the call names none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TriggerRule(Match match, List<String> benchmarks, JsonNode run, TargetSpec target) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Match(String model, String run, String runKind, Boolean finalOnly) {}
}

package dev.lmlab.inference;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the inference service serves models.
 *
 * @param modelsRoot checkpoint folders may only be registered from inside this folder ({@code <home>/models} when
 *     blank)
 * @param artifactsRoot SAE folders and steering-vector files named by interventions, batch-job inputs and outputs
 *     live inside this folder ({@code <home>/artifacts} when blank)
 * @param memoryBudget loaded models' estimated weight memory; beyond it the least recently used are unloaded
 * @param maxBatchRows rows one model decodes together at most (continuous batching admits more as rows finish)
 * @param queueCapacity requests per model allowed to wait beyond the running batch; more get 503 with Retry-After
 * @param maxNewTokens the largest {@code max_tokens} a request may ask for
 * @param maxChoices the largest {@code n}
 * @param dtype weights' type when loading: {@code float32}, or {@code float16} (GPUs)
 * @param kvCacheBudget heap the running batch's KV caches may take per model, reserved per request for its
 *     prompt plus {@code max_tokens} (blank: 40% of the maximum heap); a request waits until its reservation fits
 */
@ConfigurationProperties("lmlab.inference")
public record InferenceProperties(
        String modelsRoot,
        String artifactsRoot,
        @DefaultValue("8GB") DataSize memoryBudget,
        @DefaultValue("16") int maxBatchRows,
        @DefaultValue("64") int queueCapacity,
        @DefaultValue("4096") int maxNewTokens,
        @DefaultValue("16") int maxChoices,
        @DefaultValue("float32") String dtype,
        DataSize kvCacheBudget) {

    /** The KV budget in bytes: the configured one, else 40% of the maximum heap. */
    public long kvCacheBudgetBytes() {
        return kvCacheBudget != null
                ? kvCacheBudget.toBytes()
                : (long) (Runtime.getRuntime().maxMemory() * 0.4);
    }
}

package dev.lmlab.eval.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Which model a run grades (or a judge asks), as a request names it:
 *
 * <ul>
 *   <li>{@code {"model": "m"}}: a model registered with the platform's inference service;
 *   <li>{@code {"type": "openai", "model": "m", "base_url": "https://host/v1", "api_key_ref": "file:vendor.key"}}:
 *       any OpenAI-compatible endpoint on the configured allow-list.
 * </ul>
 *
 * @param type {@code inference} (the default) or {@code openai}
 * @param baseUrl for {@code openai}: the URL that {@code /completions} and {@code /chat/completions} hang off
 * @param apiKeyRef where the key is, never the key: {@code file:NAME} (a file in {@code <home>/secrets/eval/}) or
 *     {@code env:NAME} (an environment variable of the eval service); sent as a bearer token
 * @param timeoutSeconds how long one call may take before it counts as not answered (default 120)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TargetSpec(String type, String model, String baseUrl, String apiKeyRef, Integer timeoutSeconds) {

    public static final String INFERENCE = "inference";
    public static final String OPENAI = "openai";
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    public TargetSpec {
        type = type == null || type.isBlank() ? INFERENCE : type;
    }

    public static TargetSpec inference(String model) {
        return new TargetSpec(INFERENCE, model, null, null, null);
    }

    public boolean external() {
        return OPENAI.equals(type);
    }

    public int timeout() {
        return timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
    }

    /** Short name for reports and run names: {@code inference:m}, or {@code openai:m@host:port}. */
    public String label() {
        if (!external()) {
            return INFERENCE + ":" + model;
        }
        String where = baseUrl;
        try {
            URI uri = URI.create(baseUrl);
            where = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (RuntimeException e) {
            // a label of a spec that check() would refuse; keep the raw text
        }
        return OPENAI + ":" + model + "@" + where;
    }
}

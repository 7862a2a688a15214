package dev.lmlab.eval.peers;

import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.web.ApiException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/** What grading needs from the inference service: that a model exists, and sampled completions. */
@Component
public class InferenceClient {

    /** Attempts at a completion the inference service answered 503 (a full queue) before giving up. */
    static final int ATTEMPTS = 60;

    private final ServiceClients clients;

    public InferenceClient(ServiceClients clients) {
        this.clients = clients;
    }

    /** Refuses an unknown model with a 404 that names it. */
    public void requireModel(String id) {
        try {
            clients.forService("inference")
                    .get()
                    .uri("/models/{id}", id)
                    .retrieve()
                    .toBodilessEntity();
        } catch (HttpClientErrorException.NotFound e) {
            throw ApiException.notFound(
                            "unknown-model", "no model '" + id + "' is registered with the inference service")
                    .with("field", "model");
        } catch (ResourceAccessException | RestClientResponseException e) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "inference-unavailable",
                    "could not look up model '" + id + "': " + e.getMessage());
        }
    }

    /**
     * The texts of {@code request}'s choices, in choice order. A 503 (the model's queue is full) is retried after
     * the Retry-After the service gives; other failures are thrown.
     */
    public List<String> complete(Map<String, Object> request) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                JsonNode body = clients.forService("inference")
                        .post()
                        .uri("/v1/completions")
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(request)
                        .retrieve()
                        .body(JsonNode.class);
                return body.path("choices")
                        .valueStream()
                        .sorted(java.util.Comparator.comparingInt(
                                c -> c.path("index").asInt()))
                        .map(c -> c.path("text").asString())
                        .toList();
            } catch (HttpServerErrorException.ServiceUnavailable e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                String retryAfter = e.getResponseHeaders() == null
                        ? null
                        : e.getResponseHeaders().getFirst("Retry-After");
                Thread.sleep(1000L * (retryAfter == null ? 1 : Math.max(1, Integer.parseInt(retryAfter.trim()))));
            }
        }
    }
}

package dev.lmlab.training.peers;

import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.web.ApiException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * The inference service's model registry, as training needs it: where a registered base model lives (its path
 * under the shared models root) and registering finished checkpoints so they can be served at once.
 */
@Component
public class InferenceModels {

    private static final Logger log = LoggerFactory.getLogger(InferenceModels.class);

    private final ServiceClients clients;

    public InferenceModels(ServiceClients clients) {
        this.clients = clients;
    }

    /** A registered model: its id, its folder relative to the models root, and whether it is masked diffusion. */
    public record RegisteredModel(String id, String path, boolean maskedDiffusion) {}

    public RegisteredModel describe(String id) {
        JsonNode body;
        try {
            body = client().get().uri("/models/{id}", id).retrieve().body(JsonNode.class);
        } catch (HttpClientErrorException.NotFound e) {
            throw ApiException.notFound(
                            "unknown-model",
                            "no model '" + id + "' is registered with the inference service; register it with"
                                    + " POST /api/inference/models first, or give an architecture to train from"
                                    + " scratch")
                    .with("field", "base_model");
        } catch (ResourceAccessException | RestClientResponseException e) {
            throw unavailable("look up model '" + id + "'", e);
        }
        return new RegisteredModel(
                id,
                body.path("path").asString(),
                "masked-diffusion".equals(body.path("kind").asString()));
    }

    /** Registers (or re-registers) a checkpoint folder under {@code id}. */
    public void register(String id, String path) {
        try {
            client().post()
                    .uri("/models")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("id", id, "path", path))
                    .retrieve()
                    .toBodilessEntity();
            log.info("Registered checkpoint {} as model '{}' with the inference service", path, id);
        } catch (ResourceAccessException | RestClientResponseException e) {
            throw unavailable("register checkpoint " + path + " as '" + id + "'", e);
        }
    }

    private RestClient client() {
        return clients.forService("inference");
    }

    private static ApiException unavailable(String what, Exception e) {
        String reason = e instanceof RestClientResponseException r
                ? r.getStatusCode() + " " + r.getResponseBodyAsString()
                : e.getMessage();
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "inference-unavailable",
                "could not " + what + " with the inference service: " + reason);
    }
}

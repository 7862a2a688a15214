package dev.lmlab.interp.peers;

import dev.lmlab.core.model.HookPoints;
import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.web.ApiException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * What the interp service asks of the inference service: a model's shape, activations (as safetensors), completions
 * with interventions, and likelihood scores. A full queue (503) is waited out as its Retry-After says.
 */
@Component
public class InferencePeer {

    /** Attempts at a call the inference service answered 503 before giving up. */
    static final int ATTEMPTS = 120;

    /** The shape of a registered model. */
    public record ModelInfo(String id, String kind, int layers, int dModel, int maskTokenId) {

        public boolean diffusion() {
            return kind.equals("masked-diffusion");
        }

        public List<String> hooks() {
            return HookPoints.all(layers);
        }
    }

    private final ServiceClients clients;

    public InferencePeer(ServiceClients clients) {
        this.clients = clients;
    }

    /** The model's shape; a 404 {@code unknown-model} when the inference service does not know it. */
    public ModelInfo model(String id) {
        JsonNode m = call(
                "look up model '" + id + "'",
                () -> clients.forService("inference")
                        .get()
                        .uri("/models/{id}", id)
                        .retrieve()
                        .body(JsonNode.class));
        return new ModelInfo(
                id,
                m.path("kind").asString("causal"),
                m.path("layers").asInt(),
                m.path("d_model").asInt(),
                m.path("mask_token_id").asInt(-1));
    }

    /** Refuses hook names the model does not have, listing the ones it has. */
    public static void requireHooks(ModelInfo model, List<String> hooks, String field) {
        List<String> valid = model.hooks();
        for (String hook : hooks) {
            if (!valid.contains(hook)) {
                throw ApiException.badRequest(
                                "invalid-hook",
                                "model '" + model.id() + "' has no hook point '" + hook + "'; it has " + valid.size()
                                        + " (" + valid.get(0) + " … " + valid.get(valid.size() - 1) + ")")
                        .with("field", field)
                        .with("hooks", valid);
            }
        }
    }

    /**
     * Activations of {@code inputs} at {@code hooks}, pooled per {@code positions}, written to {@code file} as the
     * safetensors the inference service answers (reduced captures as {@code <hook>} (N, D), token-level ones as
     * {@code <hook>/<i>}).
     */
    public void activations(Map<String, Object> request, Path file) {
        call(
                "capture activations",
                () -> clients.forService("inference")
                        .post()
                        .uri("/v1/activations")
                        .contentType(MediaType.APPLICATION_JSON)
                        .accept(MediaType.APPLICATION_OCTET_STREAM)
                        .body(request)
                        .exchange((req, res) -> {
                            if (res.getStatusCode().isError()) {
                                throw new HttpClientOrServerError(
                                        res.getStatusCode().value(),
                                        new String(res.getBody().readAllBytes()));
                            }
                            try (InputStream in = res.getBody()) {
                                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                            }
                            return file;
                        }));
    }

    /** {@code /v1/activations} answered as JSON: for small captures read at once. */
    public JsonNode activationsJson(Map<String, Object> request) {
        return post("/v1/activations", request, "capture activations");
    }

    public JsonNode completion(Map<String, Object> request) {
        return post("/v1/completions", request, "generate");
    }

    public JsonNode chat(Map<String, Object> request) {
        return post("/v1/chat/completions", request, "generate");
    }

    public JsonNode diffusion(Map<String, Object> request) {
        return post("/v1/diffusion/generate", request, "decode");
    }

    /** Which tokens each vector promotes and suppresses through the unembedding ({@code /v1/unembed}). */
    public JsonNode unembed(Map<String, Object> request) {
        return post("/v1/unembed", request, "read vectors through the unembedding");
    }

    /**
     * The token ids the model reads for each text. The inference service has no tokenize call; a capture of the
     * embedding at the last position returns the ids and costs one cheap forward pass.
     */
    public List<long[]> tokenIds(String model, List<String> texts) {
        JsonNode items = activationsJson(
                        Map.of("model", model, "inputs", texts, "hooks", List.of("hook_embed"), "positions", "last"))
                .get("items");
        List<long[]> out = new java.util.ArrayList<>();
        for (JsonNode item : items) {
            JsonNode ids = item.get("token_ids");
            long[] a = new long[ids.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ids.get(i).asLong();
            }
            out.add(a);
        }
        return out;
    }

    /** The text of token ids as the model's tokenizer spells each token (the same capture, for the same reason). */
    public String text(String model, long[] ids) {
        JsonNode tokens = activationsJson(Map.of(
                        "model",
                        model,
                        "inputs",
                        List.of(Map.of("input_ids", ids, "prompt_length", 0)),
                        "hooks",
                        List.of("hook_embed"),
                        "positions",
                        "last"))
                .get("items")
                .get(0)
                .get("tokens");
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.asString()));
        return text.toString();
    }

    public JsonNode score(Map<String, Object> request) {
        return post("/v1/score", request, "score");
    }

    private JsonNode post(String path, Map<String, Object> request, String what) {
        return call(
                what,
                () -> clients.forService("inference")
                        .post()
                        .uri(path)
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(request)
                        .retrieve()
                        .body(JsonNode.class));
    }

    /**
     * Runs a call, waiting out 503s; a 4xx from the inference service becomes the same 4xx here (its problem
     * detail kept), anything else a 502 naming what failed.
     */
    private <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (HttpServerErrorException.ServiceUnavailable e) {
                if (attempt >= ATTEMPTS) {
                    throw unavailable(what, e);
                }
                sleep(retryAfter(e));
            } catch (HttpClientOrServerError e) {
                if (e.status == 503 && attempt < ATTEMPTS) {
                    sleep(1000);
                    continue;
                }
                throw fromInference(what, e.status, e.body);
            } catch (HttpClientErrorException e) {
                throw fromInference(what, e.getStatusCode().value(), e.getResponseBodyAsString());
            } catch (RestClientResponseException | ResourceAccessException e) {
                throw unavailable(what, e);
            }
        }
    }

    private static ApiException fromInference(String what, int status, String body) {
        String slug = status == 404 ? "unknown-model" : "inference-refused";
        String detail = body;
        int at = body == null ? -1 : body.indexOf("\"detail\":\"");
        if (at >= 0) {
            int end = body.indexOf('"', at + 10);
            detail = body.substring(at + 10, end < 0 ? body.length() : end);
        }
        HttpStatus code = HttpStatus.resolve(status);
        return new ApiException(
                code != null && code.is4xxClientError() ? code : HttpStatus.BAD_GATEWAY,
                slug,
                "the inference service refused to " + what + ": " + detail);
    }

    private static ApiException unavailable(String what, Exception e) {
        return new ApiException(
                HttpStatus.BAD_GATEWAY,
                "inference-unavailable",
                "could not " + what + " at the inference service: " + e.getMessage());
    }

    private static long retryAfter(HttpServerErrorException e) {
        String header =
                e.getResponseHeaders() == null ? null : e.getResponseHeaders().getFirst("Retry-After");
        try {
            return header == null ? 1000 : Math.max(200, 1000L * Integer.parseInt(header.trim()));
        } catch (NumberFormatException ex) {
            return 1000;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the inference service was busy", e);
        }
    }

    /** An error answer read in an {@code exchange}, where RestClient does not raise its own exceptions. */
    private static final class HttpClientOrServerError extends RuntimeException {
        final int status;
        final String body;

        HttpClientOrServerError(int status, String body) {
            super("HTTP " + status + ": " + body);
            this.status = status;
            this.body = body;
        }
    }
}

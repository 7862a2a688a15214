package dev.lmlab.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls to services over real HTTP as the gateway makes them (with the internal token), and the assertions every
 * service test makes on what comes back.
 */
public final class ServiceCalls {

    public static final JsonMapper JSON = JsonMapper.shared();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String token;

    public ServiceCalls(String token) {
        this.token = token;
    }

    public HttpResponse<String> post(String base, String path, String contentType, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("X-LMLab-Internal-Token", token)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String base, String path, String json) throws Exception {
        return post(base, path, "application/json", json);
    }

    public HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("X-LMLab-Internal-Token", token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts a 2xx; returns the body as JSON. */
    public static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 202);
        return JSON.readTree(response.body());
    }

    /** Asserts a problem+json with the given status and type slug; returns it. */
    public static JsonNode problem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        JsonNode p = JSON.readTree(response.body());
        assertThat(p.get("type").asString()).isEqualTo("urn:lmlab:problem:" + slug);
        return p;
    }

    /** A fresh data folder for a test class's services. */
    public static Path home(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference service on a real port with a fresh data folder, and helpers to call it over HTTP as the gateway
 * does (with the internal token). Small limits so back-pressure is reachable: 4 rows batched, 2 more waiting.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class InferenceApiSupport {

    static final String TOKEN = "inference-test-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = home();

    static Path home() {
        try {
            return Files.createTempDirectory("lmlab-inference-test");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lmlab.internal-token", () -> TOKEN);
        registry.add("lmlab.home", HOME::toString);
        registry.add("lmlab.inference.max-batch-rows", () -> "4");
        registry.add("lmlab.inference.queue-capacity", () -> "2");
        registry.add("lmlab.http.max-body-size", () -> "1MB");
        registry.add("db-scheduler.polling-interval", () -> "200ms");
        registry.add("lmlab.jobs.progress-interval", () -> "0s");
        registry.add("lmlab.jobs.lease-check-interval", () -> "0s");
    }

    final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-LMLab-Internal-Token", TOKEN);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 202);
        return JSON.readTree(response.body());
    }

    JsonNode postOk(String path, String json) throws Exception {
        return ok(post(path, json));
    }

    /** Asserts a 4xx problem+json with the given type slug; returns it. */
    JsonNode problem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        JsonNode p = JSON.readTree(response.body());
        assertThat(p.get("type").asString()).isEqualTo("urn:lmlab:problem:" + slug);
        return p;
    }

    void registerTiny(String id, String family) throws Exception {
        HttpResponse<String> r =
                post("/models/tiny", "{\"id\":\"" + id + "\",\"family\":\"" + family + "\",\"seed\":3}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }
}

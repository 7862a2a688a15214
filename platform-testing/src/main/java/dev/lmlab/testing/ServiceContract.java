package dev.lmlab.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What every LM Lab service answers once started, checked over real HTTP the same way for each of them. */
public final class ServiceContract {

    private ServiceContract() {}

    /**
     * Asserts {@code GET /info} (with the internal token) names the service and lists the job machinery, and that
     * readiness answers without a token; returns the info document for service-specific checks.
     */
    public static JsonNode assertServes(int port, String internalToken, String name) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> info = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/info"))
                        .header("X-LMLab-Internal-Token", internalToken)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/info"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
        JsonNode body = JsonMapper.shared().readTree(info.body());
        assertThat(body.get("name").asString()).isEqualTo(name);
        assertThat(body.get("job_kinds").toString()).contains("selftest");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).as("no internal token").isEqualTo(401);
        return body;
    }
}

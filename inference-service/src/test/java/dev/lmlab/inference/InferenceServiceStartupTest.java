package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The service starts against an empty database and answers as an LM Lab service should. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "lmlab.internal-token=startup-test-token")
class InferenceServiceStartupTest {

    @LocalServerPort
    int port;

    @Test
    void startsOnAnEmptyDatabaseAndDescribesItself() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> info = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/info"))
                        .header("X-LMLab-Internal-Token", "startup-test-token")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode body = JsonMapper.shared().readTree(info.body());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(body.get("name").asString()).isEqualTo("inference");
        assertThat(body.get("job_kinds").toString()).contains("selftest");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(body.get("compute").get("engine").asString()).isEqualTo("PyTorch");
        assertThat(body.get("compute").get("device").asString()).isIn("cpu()", "gpu(0)");
    }
}

package dev.lmlab.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.MetricPoint;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.Await;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The training service on a real port and database, with the real inference service beside it (see {@link
 * PeerServices}), and helpers to call both over HTTP as the gateway does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// the classes share one database, so a context left running would take another class's jobs with its own settings
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class TrainingApiSupport {

    static final String TOKEN = "training-test-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = ServiceCalls.home("lmlab-training-test");
    /** One database for this service and its inference peer, as in a deployment (each keeps its own schema). */
    static final String DB = TestPostgres.createDatabase();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        PeerServices.besideInference(registry, HOME, TOKEN, DB);
        // no eval service in these tests (the launcher's end-to-end test has one): a port nothing listens on
        registry.add("lmlab.services.eval", () -> "http://127.0.0.1:9");
    }

    final ServiceCalls calls = new ServiceCalls(TOKEN);

    @LocalServerPort
    int port;

    @Autowired
    RunRegistry registry;

    HttpResponse<String> post(String base, String path, String contentType, String body) throws Exception {
        return calls.post(base, path, contentType, body);
    }

    HttpResponse<String> get(String base, String path) throws Exception {
        return calls.get(base, path);
    }

    String training() {
        return "http://127.0.0.1:" + port;
    }

    String inference() {
        return PeerServices.inference(HOME, TOKEN, DB);
    }

    HttpResponse<String> submit(String kind, String params) throws Exception {
        return post(training(), "/jobs", "application/json", "{\"kind\":\"" + kind + "\",\"params\":" + params + "}");
    }

    JsonNode ok(HttpResponse<String> response) {
        return ServiceCalls.ok(response);
    }

    JsonNode problem(HttpResponse<String> response, int status, String slug) {
        return ServiceCalls.problem(response, status, slug);
    }

    /** Uploads JSONL lines as {@code datasets/<name>}; returns the path jobs name it by. */
    String dataset(String name, List<String> lines) throws Exception {
        HttpResponse<String> r =
                post(training(), "/datasets?name=" + name, "application/jsonl", String.join("\n", lines) + "\n");
        return ok(r).get("path").asString();
    }

    Run finished(UUID id, Duration timeout) {
        return Await.until(
                "run " + id + " to finish",
                timeout,
                () -> registry.get(id),
                r -> r.status().isTerminal());
    }

    Run succeeded(HttpResponse<String> submitted) {
        Run run = finished(UUID.fromString(ok(submitted).get("id").asString()), Duration.ofMinutes(3));
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        return run;
    }

    List<Double> curve(UUID run, String key) {
        return registry.metricHistory(run, key, 0, 100_000).stream()
                .map(MetricPoint::value)
                .toList();
    }
}

package dev.lmlab.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.testapp.TestServiceApplication;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What every service promises over real HTTP: the internal token, problems, request ids, info, probes. */
@SpringBootTest(classes = TestServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceHttpContractTest {

    static final String TOKEN = "test-internal-token";

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header(InternalTokenFilter.HEADER, TOKEN);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, String body) throws Exception {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static JsonNode json(HttpResponse<String> r) {
        return JsonMapper.shared().readTree(r.body());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json(r);
        assertThat(problem.get("type").asString()).isEqualTo("urn:lmlab:problem:" + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
    }

    @Test
    void callsWithoutTheInternalTokenAreRefused() throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/info"))
                .build());
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/info"))
                .header(InternalTokenFilter.HEADER, "guess")
                .build());

        assertProblem(none, 401, "internal-token-required");
        assertProblem(wrong, 401, "internal-token-required");
    }

    @Test
    void probesAndMetricsNeedNoToken() throws Exception {
        for (String path :
                new String[] {"/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness"}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .build());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).contains("UP");
        }
        HttpResponse<String> prometheus =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                        .build());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body())
                .contains("jvm_memory_used_bytes")
                .contains("service=\"testsvc\"")
                .contains("lmlab_jobs_running");
    }

    @Test
    void infoNamesTheServiceAndWhatItCanDo() throws Exception {
        JsonNode info = json(send(request("/info").build()));

        assertThat(info.get("name").asString()).isEqualTo("testsvc");
        assertThat(info.get("version").asString()).isNotBlank();
        assertThat(info.get("capabilities").toString()).contains("testing").contains("jobs");
        assertThat(info.get("job_kinds").toString()).contains("selftest");
    }

    @Test
    void openApiDescribesTheEndpoints() throws Exception {
        HttpResponse<String> docs = send(request("/v3/api-docs").build());

        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(json(docs).get("paths").has("/jobs")).isTrue();
        assertThat(json(docs).get("paths").has("/info")).isTrue();
    }

    @Test
    void requestIdsAreEchoedOrCreatedAndAppearInProblems() throws Exception {
        HttpResponse<String> given =
                send(request("/info").header("X-Request-Id", "trace-42").build());
        HttpResponse<String> created = send(request("/info").build());
        HttpResponse<String> junk = send(
                request("/info").header("X-Request-Id", "bad id with spaces").build());
        HttpResponse<String> problem =
                send(request("/nowhere").header("X-Request-Id", "trace-43").build());

        assertThat(given.headers().firstValue("X-Request-Id")).hasValue("trace-42");
        assertThat(UUID.fromString(created.headers().firstValue("X-Request-Id").orElseThrow()))
                .isNotNull();
        assertThat(junk.headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo("bad id with spaces");
        assertProblem(problem, 404, "not-found");
        assertThat(json(problem).get("request_id").asString()).isEqualTo("trace-43");
    }

    @Test
    void malformedAndInvalidBodiesAre400Problems() throws Exception {
        assertProblem(postJson("/jobs", "{\"kind\": \"selftest\", "), 400, "malformed-body");
        assertProblem(postJson("/jobs", "[]"), 400, "malformed-body");
        HttpResponse<String> missingKind = postJson("/jobs", "{\"params\": {}}");
        assertProblem(missingKind, 400, "validation-failed");
        assertThat(json(missingKind).get("fields").has("kind")).isTrue();
        assertProblem(postJson("/jobs", "{\"kind\": \"nope\"}"), 400, "unknown-job-kind");
        assertProblem(postJson("/jobs", "{\"kind\": \"selftest\", \"params\": {\"steps\": 0}}"), 400, "invalid-params");
        assertProblem(
                postJson("/jobs", "{\"kind\": \"selftest\", \"parent_run_id\": \"not-a-uuid\"}"),
                400,
                "malformed-body");
        assertProblem(
                send(request("/jobs")
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("hi"))
                        .build()),
                415,
                "unsupported-media-type");
        assertProblem(send(request("/jobs").DELETE().build()), 405, "method-not-allowed");
    }

    @Test
    void oversizedBodiesAre413WhetherDeclaredOrStreamed() throws Exception {
        String big = "{\"kind\": \"selftest\", \"name\": \"" + "x".repeat(70_000) + "\"}";
        assertProblem(postJson("/jobs", big), 413, "payload-too-large");

        HttpResponse<String> chunked = send(request("/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build());
        assertProblem(chunked, 413, "payload-too-large");
    }

    @Test
    void submissionReturnsTheRunAndHonoursIdempotencyKeys() throws Exception {
        String body = "{\"kind\": \"selftest\", \"params\": {\"steps\": 1, \"step_millis\": 0}}";
        HttpRequest.Builder submit = request("/jobs")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "http-key-1")
                .POST(HttpRequest.BodyPublishers.ofString(body));

        HttpResponse<String> first = send(submit.build());
        HttpResponse<String> again = send(submit.build());

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Location").orElseThrow())
                .isEqualTo("/api/runs/" + json(first).get("id").asString());
        assertThat(first.headers().firstValue("Idempotent-Replayed")).hasValue("false");
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(again).get("id")).isEqualTo(json(first).get("id"));
        assertThat(json(first).get("status").asString()).isEqualTo("QUEUED");
        assertThat(json(first).get("params").get("step_millis").asInt()).isZero();
    }
}

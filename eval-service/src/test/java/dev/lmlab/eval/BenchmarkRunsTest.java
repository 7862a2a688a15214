package dev.lmlab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.Await;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Benchmark runs and checkpoint triggers against the real inference service. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BenchmarkRunsTest {

    static final String TOKEN = "eval-test-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = ServiceCalls.home("lmlab-eval-test");
    static final String DB = TestPostgres.createDatabase();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        PeerServices.besideInference(registry, HOME, TOKEN, DB);
    }

    @LocalServerPort
    int port;

    @Autowired
    RunRegistry registry;

    final ServiceCalls calls = new ServiceCalls(TOKEN);

    HttpResponse<String> post(String base, String path, String body) throws Exception {
        return calls.post(base, path, body);
    }

    String eval() {
        return "http://127.0.0.1:" + port;
    }

    String inference() {
        return PeerServices.inference(HOME, TOKEN, DB);
    }

    /** Items whose empty answer every completion starts with (prefix match), and items no random model answers. */
    String items(String name) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String answer = i % 3 == 0 ? "" : "no random model says this " + i;
            lines.add("{\"id\":\"q" + i + "\",\"prompt\":\"question " + i + "?\",\"answer\":\"" + answer + "\"}");
        }
        Path file = HOME.resolve("artifacts/benchmarks").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return "benchmarks/" + name;
    }

    void model(String id) throws Exception {
        HttpResponse<String> r =
                post(inference(), "/models/tiny", "{\"id\":\"" + id + "\",\"family\":\"llama\",\"seed\":4}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    Run finished(String id) {
        return Await.until(
                "run " + id + " to finish",
                Duration.ofSeconds(120),
                () -> registry.get(UUID.fromString(id)),
                r -> r.status().isTerminal());
    }

    @Test
    void aBenchmarkRunGradesSamplesAndReportsPassAtKFromItsResults() throws Exception {
        model("grader-target");
        String items = items("prefix.jsonl");

        HttpResponse<String> submitted = post(
                eval(),
                "/jobs",
                "{\"kind\":\"benchmark\",\"params\":{\"model\":\"grader-target\",\"items\":\"" + items
                        + "\",\"samples\":4,\"max_tokens\":3,\"match\":\"prefix\",\"seed\":7,\"chunk\":4}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        Run run = finished(JSON.readTree(submitted.body()).get("id").asString());

        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        Map<String, Artifact> artifacts = new java.util.HashMap<>();
        registry.artifacts(run.id()).forEach(a -> artifacts.put(a.name(), a));
        assertThat(artifacts).containsOnlyKeys("results.jsonl", "report.json");
        List<String> results = Files.readAllLines(
                Path.of(URI.create(artifacts.get("results.jsonl").uri())));
        assertThat(results).hasSize(6);
        for (String line : results) {
            JsonNode r = JSON.readTree(line);
            assertThat(r.get("responses").size()).isEqualTo(4);
            boolean trivial = r.get("answer").asString().isEmpty();
            assertThat(r.get("passed").asInt()).isEqualTo(trivial ? 4 : 0);
        }
        JsonNode report = JSON.readTree(
                Files.readString(Path.of(URI.create(artifacts.get("report.json").uri()))));
        // two of six items always pass, four never: every pass@k and pass^k is 1/3
        assertThat(report.get("accuracy").asDouble()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.get("pass_at_k").properties()).hasSize(4);
        for (int k = 1; k <= 4; k++) {
            assertThat(report.get("pass_at_k").get(String.valueOf(k)).asDouble())
                    .isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(registry.metricHistory(run.id(), "pass_at_k", 0, 10)).hasSize(4);
    }

    @Test
    void badSubmissionsAreProblemsThatNameWhatIsWrongAndStartNothing() throws Exception {
        model("bad-input-model");
        String items = items("good.jsonl");
        Path duplicated = HOME.resolve("artifacts/benchmarks/duplicated.jsonl");
        Files.write(
                duplicated,
                List.of(
                        "{\"id\":\"a\",\"prompt\":\"p\",\"answer\":\"x\"}",
                        "{\"id\":\"a\",\"prompt\":\"q\",\"answer\":\"y\"}"));
        long before = registry.list(
                        new dev.lmlab.platform.run.RunFilter("eval", null, null, null, null, null, null), 0, 1)
                .total();

        ServiceCalls.problem(
                post(
                        eval(),
                        "/jobs",
                        "{\"kind\":\"benchmark\",\"params\":{\"model\":\"no-such\",\"items\":\"" + items + "\"}}"),
                404,
                "unknown-model");
        JsonNode p = ServiceCalls.problem(
                post(
                        eval(),
                        "/jobs",
                        "{\"kind\":\"benchmark\",\"params\":{\"model\":\"bad-input-model\","
                                + "\"items\":\"benchmarks/duplicated.jsonl\"}}"),
                400,
                "invalid-benchmark");
        assertThat(p.get("line").asInt()).isEqualTo(2);
        ServiceCalls.problem(
                post(
                        eval(),
                        "/jobs",
                        "{\"kind\":\"benchmark\",\"params\":{\"model\":\"bad-input-model\"," + "\"items\":\"" + items
                                + "\",\"samples\":0}}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                post(
                        eval(),
                        "/jobs",
                        "{\"kind\":\"benchmark\",\"params\":{\"model\":\"bad-input-model\"," + "\"items\":\"" + items
                                + "\",\"match\":\"fuzzy\"}}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                post(eval(), "/checkpoint-events", "{\"step\":1,\"model\":\"bad-input-model\",\"benchmarks\":[]}"),
                400,
                "validation-failed");
        ServiceCalls.problem(post(eval(), "/checkpoint-events", "{not json"), 400, "malformed-body");

        assertThat(registry.list(new dev.lmlab.platform.run.RunFilter("eval", null, null, null, null, null, null), 0, 1)
                        .total())
                .as("no refused submission left a run behind")
                .isEqualTo(before);
    }

    @Test
    void aCheckpointEventStartsOneChildRunPerBenchmarkOnceOnly() throws Exception {
        model("ckpt-model");
        String a = items("a.jsonl");
        String b = items("b.jsonl");
        Run training = registry.create(
                new NewRun("training", "tabom", "a training run", JSON.createObjectNode(), Map.of(), null, "test"));
        String event = "{\"training_run_id\":\"" + training.id() + "\",\"step\":40,\"model\":\"ckpt-model\","
                + "\"final\":true,\"benchmarks\":[\"" + a + "\",\"" + b + "\"],"
                + "\"settings\":{\"samples\":2,\"max_tokens\":2,\"match\":\"prefix\"}}";

        HttpResponse<String> first = post(eval(), "/checkpoint-events", event);
        HttpResponse<String> again = post(eval(), "/checkpoint-events", event);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode runs = JSON.readTree(first.body()).get("runs");
        assertThat(runs).hasSize(2);
        assertThat(JSON.readTree(again.body()).get("runs").toString())
                .contains(runs.get(0).get("id").asString());
        for (JsonNode r : runs) {
            Run child = finished(r.get("id").asString());
            assertThat(child.status()).as(child.error()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(child.parentId()).isEqualTo(training.id());
            assertThat(child.tags()).containsEntry("trigger", "checkpoint").containsEntry("step", "40");
        }

        HttpResponse<String> unknown = post(
                eval(),
                "/checkpoint-events",
                event.replace(a, "benchmarks/missing.jsonl").replace("\"step\":40", "\"step\":41"));
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    }
}

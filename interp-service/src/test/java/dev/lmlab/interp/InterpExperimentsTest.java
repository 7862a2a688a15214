package dev.lmlab.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The granularity analysis on a captured set, and a steering experiment end to end: generations through a real
 * inference service (resolving the vector by id from this service), measured with the unsteered model, and judged
 * through a real eval service by an outside judge on loopback (a scripted endpoint, standing in for a hosted model).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class InterpExperimentsTest {

    static final String TOKEN = "interp-experiments-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = ServiceCalls.home("lmlab-interp-experiments");
    static final String DB = TestPostgres.createDatabase();
    static final String MODEL = "exp-llama";
    static final String HOOK = "blocks.1.hook_resid_post";
    static final int PORT;
    static final HttpServer JUDGE;
    static final AtomicInteger JUDGED = new AtomicInteger();

    static {
        try {
            PORT = ChildJvm.freePort();
            // a judge whose intensity verdict is the response's length in characters, capped to 1..5
            JUDGE = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            JUDGE.createContext("/v1/", exchange -> {
                try (exchange) {
                    JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
                    String task = request.get("messages").get(1).get("content").asString();
                    String response =
                            task.substring(task.indexOf("Response to grade:\n") + 19, task.indexOf("\n\nRubric"));
                    int intensity = Math.max(1, Math.min(5, response.length()));
                    JUDGED.incrementAndGet();
                    String verdict = "{\"scores\": {\"intensity\": " + intensity + ", \"coherence\": 3}}";
                    String body = JSON.writeValueAsString(java.util.Map.of(
                            "choices",
                            List.of(java.util.Map.of(
                                    "index",
                                    0,
                                    "message",
                                    java.util.Map.of("role", "assistant", "content", verdict)))));
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            });
            JUDGE.start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String judgeUrl() {
        return "http://127.0.0.1:" + JUDGE.getAddress().getPort() + "/v1";
    }

    static List<String> inferenceArgs() {
        return List.of("--lmlab.services.interp=http://127.0.0.1:" + PORT);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        PeerServices.besideInference(registry, HOME, TOKEN, DB, inferenceArgs());
        registry.add(
                "lmlab.services.eval",
                () -> PeerServices.eval(
                        HOME,
                        TOKEN,
                        DB,
                        PeerServices.inference(HOME, TOKEN, DB, inferenceArgs()),
                        List.of("--lmlab.eval.allowed-endpoints=" + judgeUrl())));
    }

    @AfterAll
    static void stopJudge() {
        JUDGE.stop(0);
    }

    @Autowired
    RunRegistry registry;

    InterpApi api;
    String inference;

    @BeforeEach
    void api() throws Exception {
        api = new InterpApi(TOKEN, "http://127.0.0.1:" + PORT, registry);
        inference = PeerServices.inference(HOME, TOKEN, DB, inferenceArgs());
        HttpResponse<String> r = new ServiceCalls(TOKEN)
                .post(inference, "/models/tiny", "{\"id\":\"" + MODEL + "\",\"family\":\"llama\",\"seed\":5}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    @Test
    void granularityAnalysisThenASteeringSweepAlongItsAxisWithAJudge() throws Exception {
        Run capture = api.run(
                "/activation-sets",
                "{\"model\":\"" + MODEL + "\",\"input\":\"shipped:role-granularity\",\"hooks\":["
                        + "\"blocks.0.hook_resid_post\",\"" + HOOK + "\"],\"pooling\":\"mean\"}");
        assertThat(capture.status()).as(capture.error()).isEqualTo(RunStatus.SUCCEEDED);
        String set = capture.id().toString();

        HttpResponse<String> made = api.post(
                "/analyses/granularity",
                "{\"set\":\"" + set + "\",\"label\":\"role\",\"level\":\"level\",\"variant\":\"variant\","
                        + "\"primary_hook\":\"" + HOOK + "\",\"held_out_splits\":10,\"save_axis\":\"granularity\"}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode analysis = InterpApi.ok(made);
        JsonNode result = analysis.get("result");
        assertThat(result.get("levels")).hasSize(4);
        assertThat(result.get("labels")).hasSize(24);
        assertThat(result.get("by_layer")).hasSize(2);
        assertThat(result.get("by_variant")).hasSize(3);
        assertThat(result.get("endpoints")).hasSize(4);
        assertThat(result.get("held_out").get("splits").asInt()).isEqualTo(10);
        // the first pca_components (5) of 23 components: ratios of the total variance, largest first
        double explained = 0;
        double previous = 1;
        for (JsonNode r : result.get("pca").get("explained_variance_ratio")) {
            assertThat(r.asDouble()).isPositive().isLessThanOrEqualTo(previous);
            previous = r.asDouble();
            explained += r.asDouble();
        }
        assertThat(result.get("pca").get("explained_variance_ratio")).hasSize(5);
        assertThat(explained).isLessThan(1.0);
        for (JsonNode level : result.get("levels")) {
            double mean = level.get("projection_mean").asDouble();
            assertThat(level.get("ci95").get(0).asDouble()).isLessThanOrEqualTo(mean);
            assertThat(level.get("ci95").get(1).asDouble()).isGreaterThanOrEqualTo(mean);
        }
        for (String plot : List.of("projection-by-level.png", "stability-by-layer.png")) {
            HttpResponse<String> png = api.get("/analyses/" + analysis.get("id").asString() + "/plots/" + plot);
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.headers().firstValue("Content-Type").orElse("")).contains("image/png");
        }
        byte[] png = Files.readAllBytes(
                HOME.resolve("artifacts/analyses/" + analysis.get("id").asString() + "/projection-by-level.png"));
        assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();

        // every role has one row per variant, so the axis (a mean of label means) is the plain mean difference
        JsonNode direction = InterpApi.ok(api.post(
                "/directions",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"positive\":{\"level\":\"4\"},"
                        + "\"negative\":{\"level\":\"1\"},\"name\":\"level_contrast\"}"));
        JsonNode axis = InterpApi.ok(
                api.get("/vectors/" + analysis.get("axis_vector_id").asString()));
        JsonNode contrast =
                InterpApi.ok(api.get("/vectors/" + direction.get("id").asString()));
        for (int j = 0; j < axis.get("vector").size(); j++) {
            assertThat(axis.get("vector").get(j).asDouble())
                    .isCloseTo(contrast.get("vector").get(j).asDouble(), within(1e-4));
        }
        assertThat(result.get("axis_norm").asDouble())
                .isCloseTo(axis.get("norm").asDouble(), within(1e-3));

        ServiceCalls.problem(
                api.post("/analyses/granularity", "{\"set\":\"" + set + "\",\"label\":\"role\",\"level\":\"tier\"}"),
                400,
                "unknown-label");
        ServiceCalls.problem(
                api.post(
                        "/analyses/granularity",
                        "{\"set\":\"" + set + "\",\"label\":\"role\",\"level\":\"level\",\"levels\":[\"1\",\"9\"]}"),
                400,
                "unknown-label");
        ServiceCalls.problem(
                api.post(
                        "/analyses/granularity", "{\"set\":\"" + set + "\",\"label\":\"variant\",\"level\":\"level\"}"),
                400,
                "inconsistent-levels");

        // the sweep: coefficient 0 is the unsteered model, and the judge's verdicts are averaged per rubric item
        int before = JUDGED.get();
        String judge = "{\"type\":\"judge\",\"target\":{\"type\":\"openai\",\"model\":\"judge\",\"base_url\":\""
                + judgeUrl() + "\"},\"scale\":[1,5],\"rubric\":[{\"name\":\"intensity\"},{\"name\":\"coherence\"}]}";
        List<String> prompts = List.of("Describe your work.", "What did you do today?", "Give me one piece of advice.");
        Run sweep = api.run(
                "/experiments/steering",
                "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"vector\":\"granularity\",\"coefficients\":"
                        + "[-30, 0, 30],\"prompts\":" + JSON.writeValueAsString(prompts) + ",\"max_tokens\":8,"
                        + "\"seed\":4,\"judge\":" + judge + "}");
        assertThat(sweep.status()).as(sweep.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(JUDGED.get() - before).isEqualTo(9);
        JsonNode report = InterpApi.ok(api.get("/experiments/" + sweep.id() + "/report"));
        JsonNode rows = report.get("rows");
        assertThat(rows).hasSize(3);
        assertThat(report.get("baseline_coefficient").asDouble()).isZero();
        assertThat(rows.get(1).get("coherent").asBoolean()).isTrue();

        List<JsonNode> generations = new ArrayList<>();
        for (String line :
                Files.readAllLines(HOME.resolve("artifacts/experiments/" + sweep.id() + "/generations.jsonl"))) {
            generations.add(JSON.readTree(line));
        }
        assertThat(generations).hasSize(9);
        for (int ci = 0; ci < 3; ci++) {
            int c = ci;
            double expected = generations.stream()
                    .filter(g -> g.get("coefficient_index").asInt() == c)
                    .mapToDouble(g ->
                            Math.max(1, Math.min(5, g.get("response").asString().length())))
                    .average()
                    .orElseThrow();
            assertThat(rows.get(ci)
                            .get("judge")
                            .get("rubric")
                            .get("intensity")
                            .get("mean")
                            .asDouble())
                    .isCloseTo(expected, within(1e-9));
            assertThat(rows.get(ci)
                            .get("judge")
                            .get("rubric")
                            .get("coherence")
                            .get("mean")
                            .asDouble())
                    .isEqualTo(3.0);
        }
        // coefficient 0 sends no intervention: its answers are the plain model's with the same seeds
        for (JsonNode g : generations) {
            if (g.get("coefficient").asDouble() == 0) {
                String plain = ServiceCalls.ok(new ServiceCalls(TOKEN)
                                .post(
                                        inference,
                                        "/v1/completions",
                                        "{\"model\":\"" + MODEL + "\",\"prompt\":"
                                                + JSON.writeValueAsString(g.get("prompt"))
                                                + ",\"max_tokens\":8,\"temperature\":0,\"seed\":"
                                                + (4 + g.get("prompt_index").asInt()) + "}"))
                        .get("choices")
                        .get(0)
                        .get("text")
                        .asString();
                assertThat(g.get("response").asString()).isEqualTo(plain);
            }
            if (!g.get("response").asString().isEmpty()) {
                assertThat(g.get("nll_per_token").asDouble()).isPositive();
                assertThat(g.has("projection")).isTrue();
            }
        }
        HttpResponse<String> md = api.get("/experiments/" + sweep.id() + "/report?format=markdown");
        assertThat(md.body()).contains("| coefficient | n | projection |", "| -30.000 |");
        assertThat(api.get("/experiments/" + sweep.id() + "/plot")
                        .headers()
                        .firstValue("Content-Type")
                        .orElse(""))
                .contains("image/png");

        String base = "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"prompts\":[\"hi\"],";
        ServiceCalls.problem(
                api.post(
                        "/experiments/steering",
                        base + "\"vector\":\"granularity\",\"coefficients\":" + range(22) + "}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/experiments/steering", base + "\"vector\":\"granularity\",\"coefficients\":[1e9]}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/experiments/steering", base + "\"expression\":\"2 * granularity +\",\"coefficients\":[1]}"),
                400,
                "invalid-expression");
        ServiceCalls.problem(
                api.post("/experiments/steering", base + "\"vector\":\"nope\",\"coefficients\":[1]}"),
                400,
                "unknown-vector");
        ServiceCalls.problem(
                api.post(
                        "/experiments/steering",
                        base.replace(HOOK, "blocks.0.hook_resid_post") + "\"vector_id\":\""
                                + analysis.get("axis_vector_id").asString() + "\",\"coefficients\":[1]}"),
                400,
                "vector-layer-mismatch");
        ServiceCalls.problem(
                api.post(
                        "/experiments/steering",
                        base
                                + "\"vector\":\"granularity\",\"coefficients\":[1],"
                                + "\"judge\":{\"type\":\"judge\",\"target\":"
                                + "{\"type\":\"openai\",\"model\":\"x\",\"base_url\":\"http://10.1.2.3/v1\"},"
                                + "\"rubric\":[{\"name\":\"a\"}]}}"),
                400,
                "invalid-judge");
    }

    static String range(int n) {
        List<Integer> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add(i);
        }
        return c.toString();
    }
}

package dev.lmlab.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Activation sets captured through a real inference service, directions, steering-vector algebra, persona vectors
 * and policies, and the round trip back: the inference service resolving a stored vector's id over HTTP while it
 * generates. The interp service listens on a fixed port so the inference peer can call it back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class InterpVectorsTest {

    static final String TOKEN = "interp-vectors-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = ServiceCalls.home("lmlab-interp-vectors");
    static final String DB = TestPostgres.createDatabase();
    static final int PORT;

    static {
        try {
            PORT = ChildJvm.freePort();
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final String MODEL = "interp-llama";
    static final String HOOK = "blocks.1.hook_resid_post";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        PeerServices.besideInference(
                registry, HOME, TOKEN, DB, List.of("--lmlab.services.interp=http://127.0.0.1:" + PORT));
    }

    @Autowired
    RunRegistry registry;

    InterpApi api;
    String inference;

    @BeforeEach
    void api() throws Exception {
        api = new InterpApi(TOKEN, "http://127.0.0.1:" + PORT, registry);
        inference =
                PeerServices.inference(HOME, TOKEN, DB, List.of("--lmlab.services.interp=http://127.0.0.1:" + PORT));
        HttpResponse<String> r = new ServiceCalls(TOKEN)
                .post(inference, "/models/tiny", "{\"id\":\"" + MODEL + "\",\"family\":\"llama\",\"seed\":3}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    String capture(String input, String pooling) throws Exception {
        Run run = api.run(
                "/activation-sets",
                "{\"model\":\"" + MODEL + "\",\"input\":\"" + input + "\",\"hooks\":[\"blocks.0.hook_resid_post\",\""
                        + HOOK + "\"],\"pooling\":\"" + pooling + "\",\"batch_size\":16}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        return run.id().toString();
    }

    /** The activations of {@code texts} at HOOK, mean-pooled, asked of the inference service directly. */
    double[][] direct(List<String> texts) throws Exception {
        Map<String, Object> body = Map.of("model", MODEL, "inputs", texts, "hooks", List.of(HOOK), "positions", "mean");
        JsonNode r = ServiceCalls.ok(
                new ServiceCalls(TOKEN).post(inference, "/v1/activations", JSON.writeValueAsString(body)));
        JsonNode items = r.get("items");
        double[][] out = new double[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            JsonNode row = items.get(i).get("activations").get(HOOK);
            out[i] = new double[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = row.get(j).asDouble();
            }
        }
        return out;
    }

    @Test
    void aSetIsCapturedInShardsAndADirectionIsTheMeanDifferenceOfItsGroups() throws Exception {
        String set = capture("shipped:role-granularity", "mean");
        JsonNode s = InterpApi.ok(api.get("/activation-sets/" + set));
        assertThat(s.get("status").asString()).isEqualTo("ready");
        assertThat(s.get("rows").asInt()).isEqualTo(72);
        int width = s.get("shapes").get(HOOK).get(1).asInt();
        assertThat(s.get("shapes").get(HOOK).get(0).asInt()).isEqualTo(72);
        assertThat(s.get("labels").get("level").get("4").asInt()).isEqualTo(18);

        HttpResponse<String> made = api.post(
                "/directions",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"positive\":{\"level\":\"4\"},"
                        + "\"negative\":{\"level\":[\"1\"]},\"name\":\"specificity\"}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode direction = InterpApi.ok(made);
        assertThat(direction.get("provenance").get("positive_rows").asInt()).isEqualTo(18);
        JsonNode stored = InterpApi.ok(api.get("/vectors/" + direction.get("id").asString()));
        assertThat(stored.get("vector")).hasSize(width);
        assertThat(stored.get("layer").asInt()).isEqualTo(1);

        // the same difference, from activations asked of the inference service directly
        JsonNode rows = InterpApi.ok(api.get("/activation-sets/" + set + "/rows?size=100"))
                .get("rows");
        List<String> top = new ArrayList<>();
        List<String> bottom = new ArrayList<>();
        List<String> texts = textsOf("sets/role-granularity.jsonl");
        for (int i = 0; i < rows.size(); i++) {
            String level = rows.get(i).get("labels").get("level").asString();
            if (level.equals("4")) {
                top.add(texts.get(i));
            } else if (level.equals("1")) {
                bottom.add(texts.get(i));
            }
        }
        double[] expected = difference(direct(top), direct(bottom));
        for (int j = 0; j < width; j++) {
            assertThat(stored.get("vector").get(j).asDouble()).isCloseTo(expected[j], within(1e-4));
        }

        ServiceCalls.problem(
                api.post(
                        "/directions",
                        "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"positive\":{\"levle\":\"4\"},"
                                + "\"negative\":{\"level\":\"1\"}}"),
                400,
                "unknown-label");
        ServiceCalls.problem(
                api.post(
                        "/directions",
                        "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"positive\":{\"level\":\"4\",\"role\":"
                                + "\"person\"},\"negative\":{\"level\":\"1\"}}"),
                400,
                "empty-group");
        ServiceCalls.problem(
                api.post(
                        "/directions",
                        "{\"set\":\"" + set + "\",\"hook\":\"blocks.7.hook_resid_post\",\"positive\":{\"level\":\"4\"},"
                                + "\"negative\":{\"level\":\"1\"}}"),
                400,
                "unknown-hook");
        ServiceCalls.problem(
                api.post(
                        "/directions",
                        "{\"set\":\"" + java.util.UUID.randomUUID() + "\",\"hook\":\"" + HOOK + "\",\"positive\":{},"
                                + "\"negative\":{}}"),
                404,
                "unknown-activation-set");
        ServiceCalls.problem(
                api.post(
                        "/directions",
                        "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"positive\":{\"level\":\"4\"},"
                                + "\"negative\":{\"level\":\"1\"},\"name\":\"specificity\"}"),
                409,
                "vector-name-taken");
    }

    @Test
    void personaVectorsAlgebraAndPoliciesAreUsableByIdInGeneration() throws Exception {
        String set = capture("shipped:big-five", "mean");
        HttpResponse<String> r = api.post(
                "/persona-vectors",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"fit\":{\"split\":\"train\"},"
                        + "\"held_out\":{\"split\":\"test\"},\"order\":[\"neuroticism\",\"openness\","
                        + "\"conscientiousness\",\"extraversion\",\"agreeableness\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode persona = InterpApi.ok(r);
        assertThat(persona.get("traits")).hasSize(5);
        JsonNode openness = persona.get("traits")
                .valueStream()
                .filter(t -> t.get("trait").asString().equals("openness"))
                .findFirst()
                .orElseThrow();
        assertThat(openness.get("fit_rows").get("high").asInt()).isEqualTo(9);
        assertThat(openness.get("held_out").get("rows").asInt()).isEqualTo(6);
        JsonNode after = persona.get("cosines_after");
        assertThat(after.get("neuroticism").get("openness").asDouble()).isCloseTo(0, within(1e-4));
        assertThat(after.get("openness").get("agreeableness").asDouble()).isCloseTo(0, within(1e-4));
        assertThat(persona.get("retained_norm").get("neuroticism").asDouble()).isCloseTo(1, within(1e-9));

        // algebra over the stored traits: the result is the weighted sum of the stored vectors
        HttpResponse<String> made = api.post(
                "/steering-vectors",
                "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"name\":\"mix\",\"expression\":"
                        + "\"1.5*openness + 0.5*agreeableness - neuroticism\"}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode mix =
                InterpApi.ok(api.get("/vectors/" + InterpApi.ok(made).get("id").asString()));
        double[] o = values("openness");
        double[] a = values("agreeableness");
        double[] n = values("neuroticism");
        for (int j = 0; j < o.length; j++) {
            assertThat(mix.get("vector").get(j).asDouble()).isCloseTo(1.5 * o[j] + 0.5 * a[j] - n[j], within(1e-4));
        }
        JsonNode bad = ServiceCalls.problem(
                api.post(
                        "/steering-vectors",
                        "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"name\":\"x\",\"expression\":"
                                + "\"1.5*openness + * agreeableness\"}"),
                400,
                "invalid-expression");
        assertThat(bad.get("position").asInt()).isEqualTo(15);
        ServiceCalls.problem(
                api.post(
                        "/steering-vectors",
                        "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"name\":\"x\",\"expression\":"
                                + "\"openness + charisma\"}"),
                400,
                "unknown-vector");
        ServiceCalls.problem(
                api.post(
                        "/steering-vectors",
                        "{\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"name\":\"x\",\"expression\":"
                                + "\"openness * neuroticism\"}"),
                400,
                "invalid-expression");

        // the inference service resolves the id over HTTP: steering changes the text, the same id twice the same
        String prompt = "{\"model\":\"" + MODEL + "\",\"prompt\":\"Tell me about your weekend.\",\"max_tokens\":12,"
                + "\"temperature\":0";
        String plain = text(prompt + "}");
        String steered = prompt + ",\"interventions\":[{\"op\":\"add\",\"hook\":\"" + HOOK + "\",\"vector_id\":\""
                + mix.get("id").asString() + "\",\"scale\":40}]}";
        assertThat(text(steered)).isNotEqualTo(plain).isEqualTo(text(steered));

        // a policy: target-seeking coefficients recomputed every step inside the inference service
        HttpResponse<String> policy = api.post(
                "/steering-policies",
                "{\"name\":\"calm-open\",\"model\":\"" + MODEL + "\",\"hook\":\"" + HOOK + "\",\"terms\":["
                        + "{\"vector\":\"openness_orth\",\"target\":30,\"gain\":2,\"min\":-20,\"max\":20},"
                        + "{\"vector\":\"neuroticism\",\"schedule\":[-5,-5,0]}]}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(201);
        JsonNode intervention = InterpApi.ok(policy).get("intervention");
        assertThat(intervention.get("op").asString()).isEqualTo("compose");
        String composed = prompt + ",\"interventions\":[" + JSON.writeValueAsString(intervention) + "]}";
        assertThat(text(composed)).isNotEqualTo(plain);
        ServiceCalls.problem(
                api.post(
                        "/steering-policies",
                        "{\"name\":\"p\",\"model\":\"" + MODEL + "\",\"hook\":\"blocks.0.hook_resid_post\",\"terms\":["
                                + "{\"vector\":\"openness\",\"coefficient\":1}]}"),
                400,
                "unknown-vector");
    }

    @Test
    void badRequestsAreProblemsAndStartNothing() throws Exception {
        int before = InterpApi.ok(api.get("/activation-sets")).get("sets").size();
        String hooks = "\"hooks\":[\"" + HOOK + "\"]";
        ServiceCalls.problem(api.post("/activation-sets", "{\"model\": ["), 400, "malformed-body");
        ServiceCalls.problem(
                api.post("/activation-sets", "{\"model\":\"nope\",\"input\":\"shipped:big-five\"," + hooks + "}"),
                404,
                "unknown-model");
        ServiceCalls.problem(
                api.post(
                        "/activation-sets",
                        "{\"model\":\"" + MODEL + "\",\"input\":\"shipped:big-five\",\"hooks\":[\"blocks.9.hook_x\"]}"),
                400,
                "invalid-hook");
        ServiceCalls.problem(
                api.post(
                        "/activation-sets",
                        "{\"model\":\"" + MODEL + "\",\"input\":\"shipped:big-five\"," + hooks
                                + ",\"pooling\":\"max\"}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/activation-sets", "{\"model\":\"" + MODEL + "\",\"input\":\"shipped:nope\"," + hooks + "}"),
                404,
                "unknown-input-set");
        JsonNode line = ServiceCalls.problem(
                api.post(
                        "/activation-sets",
                        "{\"model\":\"" + MODEL + "\"," + hooks + ",\"items\":[{\"text\":\"a\"},{\"labels\":{}}]}"),
                400,
                "invalid-input-set");
        assertThat(line.get("line").asInt()).isEqualTo(2);
        ServiceCalls.problem(
                api.post(
                        "/activation-sets",
                        "{\"model\":\"" + MODEL + "\",\"input\":\"../../etc/passwd\"," + hooks + "}"),
                400,
                "path-outside-root");
        assertThat(InterpApi.ok(api.get("/activation-sets")).get("sets")).hasSize(before);

        String unknown = java.util.UUID.randomUUID().toString();
        ServiceCalls.problem(api.get("/activation-sets/" + unknown), 404, "unknown-activation-set");
        ServiceCalls.problem(api.get("/vectors/" + unknown), 404, "unknown-vector");
        ServiceCalls.problem(api.get("/steering-policies/" + unknown), 404, "unknown-policy");
        ServiceCalls.problem(api.get("/experiments/" + unknown + "/report"), 404, "unknown-experiment");
        ServiceCalls.problem(api.get("/analyses/" + unknown), 404, "unknown-analysis");
        ServiceCalls.problem(
                api.post("/persona-vectors", "{\"set\":\"" + unknown + "\",\"hook\":\"" + HOOK + "\"}"),
                404,
                "unknown-activation-set");

        // a small inline set: persona vectors need a trait label it does not have
        Run small = api.run(
                "/activation-sets",
                "{\"model\":\"" + MODEL + "\"," + hooks + ",\"items\":[{\"text\":\"calm\",\"labels\":{\"mood\":"
                        + "\"low\"}},{\"text\":\"loud\",\"labels\":{\"mood\":\"high\"}}]}");
        assertThat(small.status()).as(small.error()).isEqualTo(RunStatus.SUCCEEDED);
        ServiceCalls.problem(
                api.post("/persona-vectors", "{\"set\":\"" + small.id() + "\",\"hook\":\"" + HOOK + "\"}"),
                400,
                "unknown-label");
        ServiceCalls.problem(
                api.post(
                        "/persona-vectors",
                        "{\"set\":\"" + small.id() + "\",\"hook\":\"" + HOOK + "\",\"trait_label\":\"mood\","
                                + "\"pole_label\":\"mood\",\"order\":[\"x\"]}"),
                400,
                "invalid-params");
    }

    String text(String request) throws Exception {
        HttpResponse<String> r = new ServiceCalls(TOKEN).post(inference, "/v1/completions", request);
        return ServiceCalls.ok(r).get("choices").get(0).get("text").asString();
    }

    double[] values(String name) throws Exception {
        JsonNode list = InterpApi.ok(api.get("/vectors?model=" + MODEL + "&hook=" + HOOK))
                .get("vectors");
        String id = list.valueStream()
                .filter(v -> v.get("name").asString().equals(name))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asString();
        JsonNode v = InterpApi.ok(api.get("/vectors/" + id)).get("vector");
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    static List<String> textsOf(String resource) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String line : new String(InterpVectorsTest.class
                        .getClassLoader()
                        .getResourceAsStream(resource)
                        .readAllBytes())
                .split("\n")) {
            if (!line.isBlank()) {
                texts.add(JSON.readTree(line).get("text").asString());
            }
        }
        return texts;
    }

    static double[] difference(double[][] a, double[][] b) {
        double[] d = new double[a[0].length];
        for (int j = 0; j < d.length; j++) {
            double ma = 0;
            double mb = 0;
            for (double[] r : a) {
                ma += r[j] / a.length;
            }
            for (double[] r : b) {
                mb += r[j] / b.length;
            }
            d[j] = ma - mb;
        }
        return d;
    }
}

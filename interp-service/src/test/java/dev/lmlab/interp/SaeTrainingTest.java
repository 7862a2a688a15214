package dev.lmlab.interp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.MetricPoint;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Top-K SAEs on token-level activation sets of a causal and a masked-diffusion model: trained as durable runs with
 * metrics per step, stored in SAELens format, evaluated on held-out rows and spliced into the model through the
 * inference service (next-token CE for the causal model, masked CE over mask ratios for the diffusion one).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class SaeTrainingTest {

    static final String TOKEN = "interp-sae-token";
    static final Path HOME = ServiceCalls.home("lmlab-interp-sae");
    static final String DB = TestPostgres.createDatabase();
    static final String HOOK = "blocks.0.hook_resid_post";
    static final int PORT;

    static {
        try {
            PORT = ChildJvm.freePort();
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The inference peer fetches steering vectors back from this service. */
    static List<String> inferenceArgs() {
        return List.of("--lmlab.services.interp=http://127.0.0.1:" + PORT);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        PeerServices.besideInference(registry, HOME, TOKEN, DB, inferenceArgs());
    }

    @Autowired
    RunRegistry registry;

    InterpApi api;
    String inference;

    @BeforeEach
    void api() throws Exception {
        api = new InterpApi(TOKEN, "http://127.0.0.1:" + PORT, registry);
        inference = PeerServices.inference(HOME, TOKEN, DB, inferenceArgs());
        for (String[] m :
                new String[][] {{"sae-llama", "llama"}, {"sae-llada", "llada"}, {"sae-llama-post", "llama"}}) {
            HttpResponse<String> r = new ServiceCalls(TOKEN)
                    .post(
                            inference,
                            "/models/tiny",
                            "{\"id\":\"" + m[0] + "\",\"family\":\"" + m[1] + "\",\"seed\":"
                                    + (m[0].endsWith("post") ? 4 : 2) + "}");
            assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        }
    }

    String tokenSet(String model, String... hooks) throws Exception {
        String list = hooks.length == 0 ? "\"" + HOOK + "\"" : "\"" + String.join("\",\"", hooks) + "\"";
        Run capture = api.run(
                "/activation-sets",
                "{\"model\":\"" + model + "\",\"input\":\"shipped:big-five\",\"hooks\":[" + list + "],"
                        + "\"pooling\":\"all\",\"batch_size\":20}");
        assertThat(capture.status()).as(capture.error()).isEqualTo(RunStatus.SUCCEEDED);
        return capture.id().toString();
    }

    @Test
    void anSaeTrainsOnATokenSetIsStoredInSaeLensFormatAndSplicesIntoTheModel() throws Exception {
        String set = tokenSet("sae-llama");
        Run run = api.run(
                "/saes/train",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"name\":\"big5_l0\",\"expansion\":4,\"k\":8,"
                        + "\"steps\":300,\"batch_size\":256,\"checkpoint_every\":100,\"learning_rate\":0.002}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        List<MetricPoint> fvu = registry.metricHistory(run.id(), "fvu", 0, 1000);
        assertThat(fvu).hasSizeGreaterThan(10);
        assertThat(fvu.get(fvu.size() - 1).value()).isLessThan(fvu.get(0).value() / 2);
        assertThat(registry.metricHistory(run.id(), "l0", 0, 1000)).isNotEmpty();

        JsonNode list = InterpApi.ok(api.get("/saes?model=sae-llama"));
        JsonNode sae = list.get("saes").get(0);
        assertThat(sae.get("d_sae").asInt()).isEqualTo(256);
        assertThat(sae.get("k").asInt()).isEqualTo(8);
        assertThat(sae.get("metrics").get("fvu").asDouble()).isBetween(0.0, 0.9);
        Path folder = HOME.resolve("artifacts").resolve(sae.get("folder").asString());
        assertThat(folder.resolve("cfg.json")).exists();
        assertThat(Files.readString(folder.resolve("cfg.json"))).contains("\"hook_name\"", HOOK);

        JsonNode eval = InterpApi.ok(api.post(
                "/saes/" + sae.get("id").asString() + "/evaluate",
                "{\"set\":\"" + set + "\",\"max_rows\":2000,\"texts\":[\"I like trying new food when I travel.\","
                        + "\"We planned the week together and kept to it.\"]}"));
        JsonNode rec = eval.get("reconstruction");
        assertThat(rec.get("fvu").asDouble()).isBetween(0.0, 0.9);
        assertThat(rec.get("l0").asDouble()).isBetween(1.0, 8.0);
        assertThat(rec.get("explained_variance").asDouble()).isBetween(0.1, 1.0);
        JsonNode splice = eval.get("splice");
        assertThat(splice.get("objective").asString()).isEqualTo("next_token_ce");
        assertThat(splice.get("ce_zero_ablation").asDouble())
                .isNotEqualTo(splice.get("ce_clean").asDouble());
        assertThat(splice.get("delta_loss").asDouble())
                .isEqualTo(
                        splice.get("ce_sae").asDouble() - splice.get("ce_clean").asDouble());

        // feature browser data: the densest latents by default, contexts strongest first, windows around the focus
        JsonNode browsed = InterpApi.ok(api.post(
                "/saes/" + sae.get("id").asString() + "/features",
                "{\"set\":\"" + set + "\",\"top_contexts\":5,\"window\":4}"));
        JsonNode features = browsed.get("features");
        assertThat(features).hasSize(8);
        double densest = features.get(0).get("density").asDouble();
        assertThat(densest).isBetween(0.0, 1.0).isPositive();
        for (JsonNode f : features) {
            assertThat(f.get("density").asDouble()).isLessThanOrEqualTo(densest);
            assertThat(f.get("promoted")).hasSize(10);
            assertThat(f.get("suppressed")).hasSize(10);
            JsonNode contexts = f.get("top_contexts");
            assertThat(contexts).hasSizeBetween(1, 5);
            double previous = Double.MAX_VALUE;
            for (JsonNode c : contexts) {
                double a = c.get("activation").asDouble();
                assertThat(a).isPositive().isLessThanOrEqualTo(previous);
                previous = a;
                assertThat(c.get("tokens").size())
                        .isEqualTo(c.get("activations").size())
                        .isLessThanOrEqualTo(9);
                assertThat(c.get("activations").get(c.get("focus").asInt()).asDouble())
                        .isCloseTo(a, org.assertj.core.data.Offset.offset(1e-5));
            }
            long histogram = 0;
            for (JsonNode count : f.get("histogram").get("counts")) {
                histogram += count.asLong();
            }
            assertThat(histogram).isEqualTo(f.get("fired_tokens").asLong());
        }

        // feature steering while decoding: the decoder row × α changes the answer, α = 0 does not
        JsonNode steered = InterpApi.ok(api.post(
                "/saes/" + sae.get("id").asString() + "/steer",
                "{\"latent\":" + features.get(0).get("latent").asInt() + ",\"alpha\":80,\"prompt\":\"I like\","
                        + "\"max_tokens\":10,\"temperature\":0}"));
        assertThat(steered.get("steered").asString())
                .isNotEqualTo(steered.get("plain").asString());
        JsonNode unchanged = InterpApi.ok(api.post(
                "/saes/" + sae.get("id").asString() + "/steer",
                "{\"latent\":" + features.get(0).get("latent").asInt() + ",\"alpha\":0,\"prompt\":\"I like\","
                        + "\"max_tokens\":10,\"temperature\":0}"));
        assertThat(unchanged.get("steered").asString())
                .isEqualTo(unchanged.get("plain").asString());

        // stability across checkpoints: the same activations correlate perfectly, another model's much less
        String same = "/saes/" + sae.get("id").asString() + "/compare";
        JsonNode self = InterpApi.ok(api.post(same, "{\"set\":\"" + set + "\",\"compare_set\":\"" + set + "\"}"));
        assertThat(self.get("mean_correlation").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        String other = tokenSet("sae-llama-post");
        JsonNode drift = InterpApi.ok(api.post(same, "{\"set\":\"" + set + "\",\"compare_set\":\"" + other + "\"}"));
        assertThat(drift.get("mean_correlation").asDouble())
                .as(drift.toString())
                .isLessThan(0.9);
        assertThat(drift.get("compared").get("fvu").asDouble())
                .isGreaterThan(drift.get("base").get("fvu").asDouble());

        // no set stored: activations captured from the inference service as training goes
        Run streamed = api.run(
                "/saes/train",
                "{\"model\":\"sae-llama\",\"input\":\"shipped:big-five\",\"hook\":\"" + HOOK + "\",\"name\":"
                        + "\"streamed\",\"expansion\":2,\"k\":8,\"steps\":40,\"batch_size\":128,"
                        + "\"texts_per_step\":8,\"learning_rate\":0.002}");
        assertThat(streamed.status()).as(streamed.error()).isEqualTo(RunStatus.SUCCEEDED);
        List<MetricPoint> streamedFvu = registry.metricHistory(streamed.id(), "fvu", 0, 1000);
        assertThat(streamedFvu.get(streamedFvu.size() - 1).value())
                .isLessThan(streamedFvu.get(0).value());
        assertThat(Files.readString(HOME.resolve("artifacts/saes/" + streamed.id() + "/cfg.json")))
                .contains("lmlab_streamed_input", "shipped:big-five");
        ServiceCalls.problem(
                api.post(
                        "/saes/train",
                        "{\"set\":\"" + set + "\",\"model\":\"sae-llama\",\"input\":\"shipped:big-five\",\"hook\":\""
                                + HOOK + "\",\"name\":\"both\",\"k\":4,\"steps\":10}"),
                400,
                "invalid-params");

        // bad input to the SAE endpoints: 4xx problems that name what is wrong
        String id = sae.get("id").asString();
        Run pooled = api.run(
                "/activation-sets",
                "{\"model\":\"sae-llama\",\"hooks\":[\"" + HOOK + "\"],\"pooling\":\"mean\",\"items\":["
                        + "{\"text\":\"one\"},{\"text\":\"two\"}]}");
        ServiceCalls.problem(
                api.post("/saes/" + id + "/features", "{\"set\":\"" + pooled.id() + "\"}"), 400, "invalid-params");
        ServiceCalls.problem(
                api.post("/saes/" + id + "/features", "{\"set\":\"" + set + "\",\"latents\":[99999]}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post(
                        "/saes/" + id + "/compare",
                        "{\"set\":\"" + set + "\",\"compare_set\":\"" + pooled.id() + "\"}"),
                400,
                "unaligned-sets");
        ServiceCalls.problem(api.post("/saes/" + id + "/evaluate", "{}"), 400, "invalid-params");
        ServiceCalls.problem(
                api.post("/saes/" + id + "/decoding-order", "{\"prompts\":[{\"prompt\":\"x\"}]}"),
                400,
                "not-a-diffusion-model");
        ServiceCalls.problem(api.get("/saes/" + java.util.UUID.randomUUID()), 404, "unknown-sae");

        // the trained folder imports as any SAELens SAE; a broken one is refused naming the problem
        HttpResponse<String> imported = api.post(
                "/saes/import",
                "{\"path\":\"" + sae.get("folder").asString() + "\",\"model\":\"sae-llama\",\"hook\":\"" + HOOK
                        + "\",\"name\":\"big5_copy\"}");
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        Path broken = HOME.resolve("artifacts/saes/broken");
        Files.createDirectories(broken);
        Files.writeString(
                broken.resolve("cfg.json"), "{\"d_in\": 64, \"d_sae\": 128, \"architecture\": \"topk\", \"k\": 4}");
        Files.write(broken.resolve("sae_weights.safetensors"), new byte[] {1, 2, 3});
        ServiceCalls.problem(
                api.post(
                        "/saes/import",
                        "{\"path\":\"saes/broken\",\"model\":\"sae-llama\",\"hook\":\"" + HOOK + "\",\"name\":\"b\"}"),
                400,
                "invalid-sae");
        ServiceCalls.problem(
                api.post(
                        "/saes/train",
                        "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"name\":\"x\",\"d_sae\":16,\"k\":16,"
                                + "\"steps\":10}"),
                400,
                "invalid-sae-config");
        ServiceCalls.problem(
                api.post(
                        "/saes/train",
                        "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK
                                + "\",\"name\":\"big5_l0\",\"k\":4,\"steps\":10}"),
                409,
                "sae-name-taken");
        ServiceCalls.problem(
                api.post(
                        "/saes/train",
                        "{\"set\":\"" + java.util.UUID.randomUUID() + "\",\"hook\":\"" + HOOK + "\",\"name\":\"x\","
                                + "\"k\":4,\"steps\":10}"),
                404,
                "unknown-activation-set");
    }

    @Test
    void aDiffusionModelsSpliceLossIsTheMaskedCeOverMaskRatios() throws Exception {
        String set = tokenSet("sae-llada", HOOK, "blocks.1.hook_resid_post");
        Run run = api.run(
                "/saes/train",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"name\":\"big5_dlm\",\"expansion\":2,\"k\":8,"
                        + "\"steps\":60,\"batch_size\":256}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode sae =
                InterpApi.ok(api.get("/saes?model=sae-llada")).get("saes").get(0);
        JsonNode splice = InterpApi.ok(api.post(
                        "/saes/" + sae.get("id").asString() + "/evaluate",
                        "{\"texts\":[\"I kept to the plan even when the weekend got busy.\"],\"seed\":1}"))
                .get("splice");
        assertThat(splice.get("objective").asString()).startsWith("masked_ce");
        assertThat(splice.get("ce_clean").asDouble()).isPositive();
        assertThat(splice.get("ce_sae").asDouble()).isPositive();

        // feature steering during denoising: a range past the last step changes nothing, the whole run does
        String steer = "/saes/" + sae.get("id").asString() + "/steer";
        String base = "{\"latent\":3,\"alpha\":60,\"prompt\":\"I plan\",\"gen_length\":8,\"steps\":8,"
                + "\"block_length\":8,\"seed\":3";
        JsonNode never = InterpApi.ok(api.post(steer, base + ",\"step_range\":[8,9]}"));
        assertThat(never.get("steered").asString()).isEqualTo(never.get("plain").asString());
        JsonNode always = InterpApi.ok(api.post(steer, base + ",\"step_range\":[0,8]}"));
        assertThat(always.get("steered").asString())
                .isNotEqualTo(always.get("plain").asString());
        assertThat(always.get("plain").asString()).isEqualTo(never.get("plain").asString());
        ServiceCalls.problem(api.post(steer, base + ",\"step_range\":[5,2]}"), 400, "invalid-params");
        ServiceCalls.problem(
                api.post(steer, "{\"latent\":100000,\"alpha\":1,\"prompt\":\"x\"}"), 400, "invalid-params");

        // the decoding-order signal: the confidence loop driven from the interp service unmasks as the built-in
        // decoder does (same ids); the SAE order takes a second pass per step for the activations
        JsonNode orders = InterpApi.ok(api.post(
                "/saes/" + sae.get("id").asString() + "/decoding-order",
                "{\"prompts\":[{\"prompt\":\"I plan\",\"answer\":\"zzz\"},{\"prompt\":\"We met\"}],"
                        + "\"gen_length\":8,\"steps\":4}"));
        assertThat(orders.get("confidence").get("forward_passes").asInt()).isEqualTo(8);
        assertThat(orders.get("sae_order").get("forward_passes").asInt()).isEqualTo(16);
        assertThat(orders.get("confidence").get("accuracy").asDouble()).isZero();
        JsonNode first = orders.get("rows").get(0);
        assertThat(first.get("sae").get("ids")).hasSize(8);
        java.util.Map<Integer, Integer> perStep = new java.util.HashMap<>();
        first.get("sae").get("order").forEach(o -> perStep.merge(o.asInt(), 1, Integer::sum));
        assertThat(perStep)
                .containsOnlyKeys(0, 1, 2, 3)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(2));
        JsonNode builtIn = ServiceCalls.ok(new ServiceCalls(TOKEN)
                .post(
                        inference,
                        "/v1/diffusion/generate",
                        "{\"model\":\"sae-llada\",\"prompt\":\"I plan\",\"gen_length\":8,\"steps\":4,"
                                + "\"block_length\":8,\"temperature\":0,\"remasking\":\"low_confidence\"}"));
        assertThat(first.get("confidence").get("ids").toString())
                .isEqualTo(builtIn.get("output_ids").toString());
        ServiceCalls.problem(
                api.post(
                        "/saes/" + sae.get("id").asString() + "/decoding-order",
                        "{\"prompts\":[{\"prompt\":\"x\"}],\"score\":\"vibes\"}"),
                400,
                "invalid-params");

        // the per-layer sweep: one SAE per hook in one run, and the table with the splice loss at each
        Run sweep = api.run(
                "/saes/sweep",
                "{\"set\":\"" + set + "\",\"hooks\":[\"" + HOOK + "\",\"blocks.1.hook_resid_post\"],\"name_prefix\":"
                        + "\"sweep\",\"expansion\":2,\"k\":8,\"steps\":40,\"batch_size\":256,\"texts\":[\"I kept"
                        + " to the plan.\"]}");
        assertThat(sweep.status()).as(sweep.error()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode table = tools.jackson.databind.json.JsonMapper.shared()
                .readTree(Files.readString(HOME.resolve("artifacts/saes/" + sweep.id() + "/report.json")));
        assertThat(table.get("layers")).hasSize(2);
        for (JsonNode layer : table.get("layers")) {
            assertThat(layer.get("delta_loss").isNumber()).isTrue();
            assertThat(layer.get("objective").asString()).startsWith("masked_ce");
        }
        assertThat(table.get("layers").get(1).get("layer").asInt()).isEqualTo(1);
        assertThat(InterpApi.ok(api.get("/saes?model=sae-llada")).get("saes").toString())
                .contains("sweep_blocks_0_hook_resid_post", "sweep_blocks_1_hook_resid_post");
    }
}

package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import dev.lmlab.testing.Await;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** The inference API over real HTTP on tiny lm-core checkpoints: a Llama-shaped causal model and a LLaDA one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceApiTest extends InferenceApiSupport {

    @BeforeAll
    void registerModels() throws Exception {
        registerTiny("llama", "llama");
        registerTiny("llada", "llada");
    }

    @Test
    void directionsReadThroughTheUnembeddingPromoteAndSuppressTokens() throws Exception {
        StringBuilder zero = new StringBuilder("[");
        StringBuilder ramp = new StringBuilder("[");
        for (int j = 0; j < 64; j++) {
            zero.append(j == 0 ? "" : ",").append(0);
            ramp.append(j == 0 ? "" : ",").append((j % 7) - 3);
        }
        JsonNode r =
                ok(post("/v1/unembed", "{\"model\":\"llama\",\"top\":5,\"vectors\":[" + zero + "]," + ramp + "]]}"));
        JsonNode flat = r.get("results").get(0);
        assertThat(flat.get("promoted")).hasSize(5);
        assertThat(flat.get("promoted").get(0).get("logit").asDouble()).isZero();
        JsonNode steep = r.get("results").get(1);
        double top = steep.get("promoted").get(0).get("logit").asDouble();
        double bottom = steep.get("suppressed").get(0).get("logit").asDouble();
        assertThat(top).isGreaterThan(bottom);
        assertThat(steep.get("promoted").get(1).get("logit").asDouble()).isLessThanOrEqualTo(top);
        problem(post("/v1/unembed", "{\"model\":\"llama\",\"vectors\":[[1,2,3]]}"), 400, "invalid-vectors");
    }

    @Test
    void modelsAreListedTheOpenAiWayAndDescribeThemselves() throws Exception {
        JsonNode list = ok(get("/v1/models"));
        assertThat(list.get("object").asString()).isEqualTo("list");
        Set<String> ids = new HashSet<>();
        list.get("data").forEach(m -> ids.add(m.get("id").asString()));
        assertThat(ids).contains("llama", "llada");

        JsonNode llama = postOk("/models/llama/load", "{}");
        assertThat(llama.get("architecture").asString()).isEqualTo("LlamaForCausalLM");
        assertThat(llama.get("kind").asString()).isEqualTo("causal");
        assertThat(llama.get("parameters").asLong()).isBetween(10_000L, 1_000_000L);
        assertThat(llama.get("loaded").asBoolean()).isTrue();
        assertThat(llama.get("dtype").asString()).isEqualTo("float32");
        assertThat(llama.get("device").asString()).isNotBlank();
        assertThat(llama.get("continuous_batching").asBoolean()).isTrue();
        JsonNode llada = ok(get("/models/llada"));
        assertThat(llada.get("kind").asString()).isEqualTo("masked-diffusion");
        assertThat(llada.get("mask_token_id").asInt()).isEqualTo(3);
    }

    @Test
    void registrationStaysInsideTheModelsRoot() throws Exception {
        problem(post("/models", "{\"id\":\"escape\",\"path\":\"../../etc\"}"), 400, "path-outside-root");
        problem(post("/models", "{\"id\":\"abs\",\"path\":\"/etc\"}"), 400, "path-outside-root");
        Path outside = Files.createTempDirectory("lmlab-outside");
        Files.writeString(outside.resolve("config.json"), "{}");
        Files.createSymbolicLink(HOME.resolve("models").resolve("link"), outside);
        problem(post("/models", "{\"id\":\"link\",\"path\":\"link\"}"), 400, "path-outside-root");
        problem(post("/models", "{\"id\":\"none\",\"path\":\"missing\"}"), 404, "path-not-found");
        Files.createDirectories(HOME.resolve("models/broken"));
        Files.writeString(HOME.resolve("models/broken/config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        problem(post("/models", "{\"id\":\"broken\",\"path\":\"broken\"}"), 400, "unsupported-checkpoint");
        problem(post("/models", "{\"id\":\"bad id!\",\"path\":\"tiny/llama\"}"), 400, "invalid-model-id");
        problem(
                post("/models/tiny", "{\"id\":\"short\",\"family\":\"llama\",\"max_positions\":8}"),
                400,
                "invalid-size");
        JsonNode longContext = JSON.readTree(
                post("/models/tiny", "{\"id\":\"long-context\",\"family\":\"llama\",\"max_positions\":4096}")
                        .body());
        assertThat(longContext.get("context_length").asInt())
                .as("a tiny model for session benchmarks")
                .isEqualTo(4096);
        problem(post("/models", "{\"id\":\"llama\",\"path\":\"tiny/llada\"}"), 409, "model-id-taken");
        assertThat(post("/models", "{\"id\":\"llama\",\"path\":\"tiny/llama\"}").statusCode())
                .isEqualTo(200);
        JsonNode unknown = problem(
                post(
                        "/v1/chat/completions",
                        "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                404,
                "model-not-found");
        assertThat(unknown.get("models").toString()).contains("llama");
    }

    @Test
    void chatCompletionsAnswerInOpenAisShape() throws Exception {
        JsonNode r = postOk(
                "/v1/chat/completions",
                "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                        + "\"max_tokens\":12,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}");
        assertThat(r.get("object").asString()).isEqualTo("chat.completion");
        assertThat(r.get("id").asString()).startsWith("chatcmpl-");
        JsonNode choice = r.get("choices").get(0);
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        assertThat(choice.get("finish_reason").asString()).isIn("stop", "length");
        JsonNode usage = r.get("usage");
        int completion = usage.get("completion_tokens").asInt();
        assertThat(completion).isBetween(0, 12);
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + completion);
        JsonNode content = choice.get("logprobs").get("content");
        assertThat(content.size()).isEqualTo(completion);
        for (JsonNode token : content) {
            assertThat(token.get("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(token.get("top_logprobs").size()).isEqualTo(2);
            // greedy: the chosen token is the most likely one
            assertThat(token.get("logprob").asDouble())
                    .isCloseTo(token.get("top_logprobs").get(0).get("logprob").asDouble(), within(1e-6));
        }
    }

    @Test
    void completionsTakeTokenIdPromptsSeveralPromptsAndSeededSamples() throws Exception {
        JsonNode r = postOk(
                "/v1/completions",
                "{\"model\":\"llama\",\"prompt\":[[40,41,42],[50,51]],\"max_tokens\":8,\"n\":2,\"seed\":11,"
                        + "\"temperature\":1.2,\"logprobs\":1}");
        assertThat(r.get("object").asString()).isEqualTo("text_completion");
        assertThat(r.get("choices").size()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(r.get("choices").get(i).get("index").asInt()).isEqualTo(i);
        }
        JsonNode again = postOk(
                "/v1/completions",
                "{\"model\":\"llama\",\"prompt\":[[40,41,42],[50,51]],\"max_tokens\":8,\"n\":2,\"seed\":11,"
                        + "\"temperature\":1.2,\"logprobs\":1}");
        for (int i = 0; i < 4; i++) {
            assertThat(again.get("choices").get(i).get("text").asString())
                    .as("same seed, same text")
                    .isEqualTo(r.get("choices").get(i).get("text").asString());
        }
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertThat(lp.get("tokens").size()).isEqualTo(lp.get("token_logprobs").size());
        assertThat(String.join("", JSON.convertValue(lp.get("tokens"), String[].class)))
                .isEqualTo(r.get("choices").get(0).get("text").asString());
    }

    @Test
    void aStreamCarriesTheSameTextAsTheWholeResponseAndEndsWithDone() throws Exception {
        String body = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}],"
                + "\"max_tokens\":20,\"temperature\":0,\"stop\":[\"zz\"]";
        String whole = postOk("/v1/chat/completions", body + "}")
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asString();
        HttpResponse<String> stream =
                post("/v1/chat/completions", body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(stream.statusCode()).as(stream.body()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = stream.body()
                .lines()
                .filter(l -> l.startsWith("data: "))
                .map(l -> l.substring(6))
                .toList();
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            text.append(c.get("delta").path("content").asString(""));
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asString();
            }
        }
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(finish).isIn("stop", "length");
        assertThat(usage).as("include_usage adds a last chunk with usage").isNotNull();
    }

    @Test
    void concurrentRequestsAreBatchedAndEachGetsWhatItWouldAlone() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bodies.add("{\"model\":\"llama\",\"prompt\":[" + (30 + i) + "," + (60 + i) + "],\"max_tokens\":"
                    + (10 + 7 * i) + ",\"temperature\":0.9,\"seed\":" + i + "}");
        }
        List<String> alone = new ArrayList<>();
        for (String b : bodies) {
            alone.add(postOk("/v1/completions", b)
                    .get("choices")
                    .get(0)
                    .get("text")
                    .asString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
            for (String b : bodies) {
                together.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return post("/v1/completions", b);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            for (int i = 0; i < bodies.size(); i++) {
                JsonNode r = ok(together.get(i).join());
                assertThat(r.get("choices").get(0).get("text").asString())
                        .as("request %d", i)
                        .isEqualTo(alone.get(i));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void beyondTheQueueRequestsGet503WithRetryAfter() throws Exception {
        // 4 batched rows + 2 waiting: 10 long requests at once cannot all be accepted
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return post(
                                        "/v1/completions",
                                        "{\"model\":\"llama\",\"prompt\":[5],\"max_tokens\":250,\"temperature\":0}");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            int accepted = 0;
            int refused = 0;
            for (var f : all) {
                HttpResponse<String> r = f.join();
                if (r.statusCode() == 200) {
                    accepted++;
                } else {
                    problem(r, 503, "model-busy");
                    assertThat(r.headers().firstValue("Retry-After")).contains("1");
                    refused++;
                }
            }
            assertThat(accepted).isGreaterThanOrEqualTo(4);
            assertThat(refused).isGreaterThanOrEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aClientThatLeavesMidStreamFreesItsSlot() throws Exception {
        HttpResponse<InputStream> r = http.send(
                request("/v1/completions")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama\",\"prompt\":[7],"
                                + "\"max_tokens\":250,\"temperature\":0,\"stream\":true,"
                                + "\"stop\":[\"never-appears-zz\"]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("data: ");
        reader.close();
        Await.until(
                "the stream's slot to be freed",
                Duration.ofSeconds(20),
                () -> {
                    try {
                        return ok(get("/models/llama"))
                                .get("outstanding_requests")
                                .asInt();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                outstanding -> outstanding == 0);
    }

    @Test
    void diffusionModelsReturnTheirTrajectory() throws Exception {
        JsonNode r = postOk(
                "/v1/diffusion/generate",
                "{\"model\":\"llada\",\"prompt\":\"Hi\",\"gen_length\":16,\"steps\":8,\"block_length\":8,"
                        + "\"return_trajectory\":true}");
        assertThat(r.get("output_ids").size()).isEqualTo(16);
        assertThat(r.get("forward_passes").asInt()).isEqualTo(8);
        int promptTokens = r.get("prompt_tokens").asInt();
        JsonNode trajectory = r.get("trajectory");
        assertThat(trajectory.size()).isEqualTo(8);
        Set<Integer> unmasked = new HashSet<>();
        for (JsonNode step : trajectory) {
            int last = -1;
            for (int i = 0; i < step.get("positions").size(); i++) {
                int p = step.get("positions").get(i).asInt();
                assertThat(p).isGreaterThan(last).isBetween(promptTokens, promptTokens + 15);
                last = p;
                assertThat(unmasked.add(p)).as("each position is unmasked once").isTrue();
                assertThat(step.get("tokens").get(i).asLong())
                        .isEqualTo(r.get("output_ids").get(p - promptTokens).asLong());
                assertThat(step.get("confidences").get(i).asDouble()).isBetween(0.0, 1.0);
            }
            assertThat(step.get("entropies").size())
                    .isEqualTo(step.get("masked_positions").size());
        }
        assertThat(unmasked).hasSize(16);

        JsonNode guided = postOk(
                "/v1/diffusion/generate",
                "{\"model\":\"llada\",\"prompt_ids\":[1,40,41],\"reference\":[50,51,52,53],\"steps\":4}");
        assertThat(JSON.convertValue(guided.get("output_ids"), long[].class)).containsExactly(50, 51, 52, 53);
        assertThat(guided.get("decoding_order").size()).isEqualTo(4);

        JsonNode chat = postOk(
                "/v1/chat/completions",
                "{\"model\":\"llada\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":8}");
        assertThat(chat.get("choices").get(0).get("finish_reason").asString()).isIn("stop", "length");
        problem(post("/v1/diffusion/generate", "{\"model\":\"llama\",\"prompt\":\"x\"}"), 400, "not-a-diffusion-model");
        problem(
                post(
                        "/v1/diffusion/generate",
                        "{\"model\":\"llada\",\"prompt\":\"x\",\"gen_length\":10,\"block_length\":4}"),
                400,
                "invalid-diffusion-params");
    }

    @Test
    void scoresAgreeWithTheLogprobsOfGeneration() throws Exception {
        JsonNode gen = postOk(
                "/v1/completions",
                "{\"model\":\"llama\",\"prompt\":[1,40,41],\"max_tokens\":6,\"temperature\":0,\"logprobs\":1,"
                        + "\"stop\":[]}");
        JsonNode lp = gen.get("choices").get(0).get("logprobs").get("token_logprobs");
        // the generated ids: score the prompt + completion text's ids, which the character tokenizer round-trips
        String text = gen.get("choices").get(0).get("text").asString();
        JsonNode score = postOk("/v1/score", "{\"model\":\"llama\",\"text\":" + JSON.writeValueAsString(text) + "}");
        assertThat(score.get("token_logprobs").get(0).isNull()).isTrue();
        JsonNode full = postOk(
                "/v1/score",
                "{\"model\":\"llama\",\"input_ids\":" + ids(1, 40, 41, score.get("input_ids"))
                        + ",\"top_logprobs\":3}");
        JsonNode tokenLogprobs = full.get("token_logprobs");
        int offset = 3;
        for (int i = 0; i < lp.size() && offset + i < tokenLogprobs.size(); i++) {
            assertThat(tokenLogprobs.get(offset + i).asDouble())
                    .as("position %d", offset + i)
                    .isCloseTo(lp.get(i).asDouble(), within(1e-3));
        }
        assertThat(full.get("top_logprobs").get(1).size()).isEqualTo(3);
    }

    /** Prompt ids then the text's ids without a leading BOS the tokenizer may add. */
    private static String ids(long a, long b, long c, JsonNode textIds) {
        List<Long> out = new ArrayList<>(List.of(a, b, c));
        for (JsonNode id : textIds) {
            if (id.asLong() != 1) {
                out.add(id.asLong());
            }
        }
        return out.toString();
    }

    @Test
    void diffusionScoringGivesMaskedLogprobsAndAReproducibleNelbo() throws Exception {
        JsonNode masked =
                postOk("/v1/score", "{\"model\":\"llada\",\"input_ids\":[1,40,3,42,3],\"target_ids\":[0,0,41,0,43]}");
        JsonNode lp = masked.get("token_logprobs");
        assertThat(lp.get(0).isNull()).isTrue();
        assertThat(lp.get(1).isNull()).isTrue();
        assertThat(lp.get(2).asDouble()).isNegative();
        assertThat(lp.get(4).asDouble()).isNegative();
        String nelbo = "{\"model\":\"llada\",\"prompt_ids\":[1,40,41],\"response_ids\":[50,51,52,53,54],"
                + "\"mc_samples\":32,\"seed\":5}";
        JsonNode a = postOk("/v1/score", nelbo);
        JsonNode b = postOk("/v1/score", nelbo);
        assertThat(a.get("nelbo").asDouble())
                .isPositive()
                .isEqualTo(b.get("nelbo").asDouble());
        assertThat(a.get("log_likelihood_lower_bound").asDouble())
                .isEqualTo(-a.get("nelbo").asDouble());
        assertThat(a.get("standard_error").asDouble()).isPositive();
        problem(post("/v1/score", "{\"model\":\"llama\",\"input_ids\":[1,3,5]}"), 400, "mask-token-in-causal-request");
    }

    @Test
    void activationsComeAsJsonOrSafetensorsAndSteeringShiftsThem() throws Exception {
        String hook = "blocks.1.hook_resid_post";
        String base = "{\"model\":\"llama\",\"inputs\":[\"abc\",{\"prompt\":\"ab\",\"response\":\"cd\"}],\"hooks\":[\""
                + hook + "\"],\"positions\":\"last\"";
        JsonNode plain = postOk("/v1/activations", base + "}");
        JsonNode first = plain.get("items").get(0).get("activations").get(hook);
        assertThat(first.size()).isEqualTo(64);
        float[] vector = new float[64];
        vector[5] = 2.5f;
        JsonNode steered = postOk(
                "/v1/activations",
                base + ",\"interventions\":[{\"hook\":\"" + hook + "\",\"op\":\"add\",\"vector\":"
                        + JSON.writeValueAsString(vector) + "}]}");
        JsonNode shifted = steered.get("items").get(0).get("activations").get(hook);
        for (int j = 0; j < 64; j++) {
            assertThat(shifted.get(j).asDouble() - first.get(j).asDouble())
                    .as("dimension %d", j)
                    .isCloseTo(vector[j], within(1e-4));
        }

        HttpResponse<byte[]> binary = http.send(
                request("/v1/activations")
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"llama\",\"inputs\":[\"abc\",\"defg\"],\"hooks\":[\"" + hook + "\"]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(binary.statusCode()).isEqualTo(200);
        Path file = Files.createTempFile("acts", ".safetensors");
        Files.write(file, binary.body());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            long t0 = f.require("token_ids/0").shape()[0];
            assertThat(f.require(hook + "/0").shape()).containsExactly(t0, 64);
            assertThat(f.require(hook + "/1").shape()[0])
                    .isEqualTo(f.require("token_ids/1").shape()[0]);
            assertThat(f.metadata().get("lmlab")).contains("\"positions\":\"all\"");
        }
    }

    @Test
    void badInputGetsAProblemNotACrash() throws Exception {
        String chat = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        problem(post("/v1/chat/completions", "{\"model\": \"llama\", \"messages\": ["), 400, "malformed-body");
        problem(post("/v1/chat/completions", chat + ",\"max_tokens\":0}"), 400, "invalid-field");
        problem(post("/v1/chat/completions", chat + ",\"max_tokens\":100000000}"), 400, "invalid-field");
        problem(post("/v1/chat/completions", chat + ",\"max_tokens\":4000}"), 400, "context-length-exceeded");
        problem(post("/v1/chat/completions", chat + ",\"n\":1000}"), 400, "invalid-field");
        problem(post("/v1/chat/completions", chat + ",\"temperature\":\"hot\"}"), 400, "invalid-field");
        JsonNode hook = problem(
                post(
                        "/v1/chat/completions",
                        chat + ",\"interventions\":[{\"hook\":\"blocks.9.nothing\",\"op\":\"add\",\"vector\":[1]}]}"),
                400,
                "invalid-intervention");
        assertThat(hook.get("hooks").toString()).contains("blocks.1.hook_resid_post");
        JsonNode width = problem(
                post(
                        "/v1/chat/completions",
                        chat + ",\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":\"add\","
                                + "\"vector\":[1,2,3]}]}"),
                400,
                "invalid-intervention");
        assertThat(width.get("detail").asString()).contains("64");
        problem(
                post("/v1/chat/completions", chat + ",\"interventions\":[{\"hook\":\"x\",\"op\":\"explode\"}]}"),
                400,
                "invalid-intervention");
        problem(
                post("/v1/completions", "{\"model\":\"llama\",\"prompt\":[1,3,4]}"),
                400,
                "mask-token-in-causal-request");
        problem(post("/v1/completions", "{\"model\":\"llama\",\"prompt\":[1,99999]}"), 400, "token-out-of-vocabulary");
        problem(post("/v1/completions", "{\"model\":\"llama\",\"prompt\":[]}"), 400, "empty-prompt");
        problem(
                post(
                        "/v1/activations",
                        "{\"model\":\"llama\",\"inputs\":[\"a\"],\"hooks\":[\"blocks.7.hook_resid_post\"]}"),
                400,
                "unknown-hook");
        problem(
                post(
                        "/v1/chat/completions",
                        chat + ",\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":\"sae_splice\","
                                + "\"sae\":\"../../etc\"}]}"),
                400,
                "path-outside-root");
        String huge = "{\"model\":\"llama\",\"prompt\":\"" + "a".repeat(2_000_000) + "\"}";
        assertThat(post("/v1/completions", huge).statusCode()).isEqualTo(413);
        // the model still answers
        postOk("/v1/chat/completions", chat + ",\"max_tokens\":3}");
    }

    @Test
    void steeringChangesGenerationAndComposesWithSchedules() throws Exception {
        String chat = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":10,"
                + "\"temperature\":0";
        String plain = postOk("/v1/chat/completions", chat + "}")
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asString();
        float[] vector = new float[64];
        for (int i = 0; i < 64; i++) {
            vector[i] = (i % 3 - 1) * 4f;
        }
        String steered = postOk(
                        "/v1/chat/completions",
                        chat + ",\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":\"add\",\"vector\":"
                                + JSON.writeValueAsString(vector) + ",\"scale\":3}]}")
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asString();
        assertThat(steered).isNotEqualTo(plain);
        // a zero coefficient at every step is no steering at all
        String zero = postOk(
                        "/v1/chat/completions",
                        chat + ",\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":\"add\",\"vector\":"
                                + JSON.writeValueAsString(vector) + ",\"schedule\":[0]}]}")
                .get("choices")
                .get(0)
                .get("message")
                .get("content")
                .asString();
        assertThat(zero).isEqualTo(plain);
    }

    @Test
    void saeSplicesAndVectorFilesResolveUnderTheArtifactsRoot() throws Exception {
        int d = 64;
        float[] enc = new float[d * 2 * d]; // (D, 2D) = [I, -I]: z holds relu(x) and relu(-x)
        float[] dec = new float[2 * d * d]; // (2D, D) = [I; -I]: x̂ = relu(x) - relu(-x) = x
        for (int i = 0; i < d; i++) {
            enc[i * 2 * d + i] = 1;
            enc[i * 2 * d + d + i] = -1;
            dec[i * d + i] = 1;
            dec[(d + i) * d + i] = -1;
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            new SparseAutoencoder(
                            m,
                            m.create(enc, new Shape(d, 2 * d)),
                            m.create(dec, new Shape(2 * d, d)),
                            m.zeros(new Shape(2 * d)),
                            m.zeros(new Shape(d)),
                            d,
                            false,
                            "blocks.0.hook_resid_post")
                    .save(HOME.resolve("artifacts/saes/identity"));
            new SparseAutoencoder(
                            m,
                            m.create(enc, new Shape(d, 2 * d)),
                            m.zeros(new Shape(2 * d, d)),
                            m.zeros(new Shape(2 * d)),
                            m.zeros(new Shape(d)),
                            d,
                            false,
                            "blocks.0.hook_resid_post")
                    .save(HOME.resolve("artifacts/saes/zero"));
        }
        String hook = "blocks.1.hook_resid_post";
        String base =
                "{\"model\":\"llama\",\"inputs\":[\"abcdef\"],\"hooks\":[\"" + hook + "\"],\"positions\":\"last\"";
        JsonNode plain = postOk("/v1/activations", base + "}")
                .get("items")
                .get(0)
                .get("activations")
                .get(hook);
        String splice = ",\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":\"sae_splice\",\"sae\":";
        JsonNode identity = postOk("/v1/activations", base + splice + "\"saes/identity\"}]}")
                .get("items")
                .get(0)
                .get("activations")
                .get(hook);
        JsonNode zero = postOk("/v1/activations", base + splice + "\"saes/zero\"}]}")
                .get("items")
                .get(0)
                .get("activations")
                .get(hook);
        double changed = 0;
        for (int j = 0; j < d; j++) {
            assertThat(identity.get(j).asDouble()).isCloseTo(plain.get(j).asDouble(), within(1e-4));
            changed += Math.abs(zero.get(j).asDouble() - plain.get(j).asDouble());
        }
        assertThat(changed).as("a zero decoder replaces the residual stream").isGreaterThan(1e-2);

        float[] vector = new float[d];
        vector[7] = -3f;
        new SafetensorsWriter()
                .addFloats("direction", new long[] {d}, vector)
                .write(HOME.resolve("artifacts/v.safetensors"));
        JsonNode shifted = postOk(
                        "/v1/activations",
                        base + ",\"interventions\":[{\"hook\":\"" + hook + "\",\"op\":\"add\","
                                + "\"vector_file\":{\"path\":\"v.safetensors\",\"tensor\":\"direction\"}}]}")
                .get("items")
                .get(0)
                .get("activations")
                .get(hook);
        assertThat(shifted.get(7).asDouble() - plain.get(7).asDouble()).isCloseTo(-3.0, within(1e-4));
        problem(
                post(
                        "/v1/activations",
                        base + ",\"interventions\":[{\"hook\":\"" + hook + "\",\"op\":\"add\","
                                + "\"vector_file\":{\"path\":\"missing.safetensors\"}}]}"),
                404,
                "path-not-found");
    }
}

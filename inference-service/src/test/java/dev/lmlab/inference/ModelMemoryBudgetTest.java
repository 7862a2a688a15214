package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A budget that holds one tiny model at a time (the causal one takes ~0.8 MB with its decode copy, the diffusion
 * one ~0.4 MB): loading the other unloads the least recently used, and a request brings it back.
 */
@TestPropertySource(
        properties = {
            "lmlab.inference.memory-budget=1MB",
            "lmlab.inference.kv-cache-budget=256KB",
            "lmlab.jobs.enabled=false",
            "db-scheduler.enabled=false"
        })
class ModelMemoryBudgetTest extends InferenceApiSupport {

    @Test
    void theLeastRecentlyUsedModelMakesRoomAndComesBackOnDemand() throws Exception {
        registerTiny("budget-llama", "llama");
        registerTiny("budget-llada", "llada");
        assertThat(postOk("/models/budget-llama/load", "{}").get("loaded").asBoolean())
                .isTrue();
        assertThat(postOk("/models/budget-llada/load", "{}").get("loaded").asBoolean())
                .isTrue();
        assertThat(ok(get("/models/budget-llama")).get("loaded").asBoolean())
                .as("unloaded to make room")
                .isFalse();

        JsonAnswer answer = new JsonAnswer(postOk(
                "/v1/completions",
                "{\"model\":\"budget-llama\",\"prompt\":[40,41],\"max_tokens\":3,\"temperature\":0}"));
        assertThat(answer.text()).isNotNull();
        assertThat(ok(get("/models/budget-llama")).get("loaded").asBoolean()).isTrue();
        assertThat(ok(get("/models/budget-llada")).get("loaded").asBoolean()).isFalse();
    }

    @Test
    void deletingAModelUnloadsItAndForgetsItButKeepsItsFiles() throws Exception {
        registerTiny("doomed", "llama");
        postOk("/models/doomed/load", "{}");
        assertThat(http.send(
                                request("/models/doomed").DELETE().build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(204);
        problem(get("/models/doomed"), 404, "model-not-found");
        problem(
                post("/v1/completions", "{\"model\":\"doomed\",\"prompt\":[40],\"max_tokens\":2}"),
                404,
                "model-not-found");
        assertThat(Files.exists(HOME.resolve("models/tiny/doomed/config.json"))).isTrue();
    }

    /** The tiny Llama's KV cache takes 512 bytes per position and row: 4 × 202 positions is about 400 KB. */
    @Test
    void aRequestWhoseKvCacheCannotFitIsRefusedUpFront() throws Exception {
        registerTiny("kv-llama", "llama");
        problem(
                post("/v1/completions", "{\"model\":\"kv-llama\",\"prompt\":[40,41],\"max_tokens\":200,\"n\":4}"),
                400,
                "kv-cache-budget-exceeded");
        postOk("/v1/completions", "{\"model\":\"kv-llama\",\"prompt\":[40,41],\"max_tokens\":200,\"n\":1}");
    }

    record JsonAnswer(tools.jackson.databind.JsonNode body) {
        String text() {
            return body.get("choices").get(0).get("text").asString();
        }
    }
}

package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.testing.Await;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Trajectory generation and activation capture as durable runs, with their artifacts on disk. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchJobsTest extends InferenceApiSupport {

    @Autowired
    RunRegistry registry;

    @BeforeAll
    void models() throws Exception {
        registerTiny("llama", "llama");
        registerTiny("llada", "llada");
    }

    Run finished(JsonNode submitted) {
        UUID id = UUID.fromString(submitted.get("id").asString());
        return Await.until(
                "run " + id + " to finish",
                Duration.ofSeconds(120),
                () -> registry.get(id),
                r -> r.status() == RunStatus.SUCCEEDED || r.status() == RunStatus.FAILED);
    }

    Path data(String name, String... lines) throws Exception {
        Path file = HOME.resolve("artifacts/data").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void trajectoryGenerationWritesAGuidedAndFreeTrajectoryDataset() throws Exception {
        data(
                "prompts.jsonl",
                "{\"id\":\"a\",\"prompt\":\"Add 2 and 3\",\"response\":\"5\"}",
                "",
                "{\"id\":\"b\",\"prompt\":\"Name a colour\",\"response\":\"red or blue\"}",
                "{\"id\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        Run run = finished(postOk(
                "/jobs",
                "{\"kind\":\"trajectory-generation\",\"params\":{\"model\":\"llada\",\"input\":\"data/prompts.jsonl\","
                        + "\"gen_length\":8,\"steps\":4,\"batch\":2}}"));
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.progress()).isEqualTo(1.0);

        List<Artifact> artifacts = registry.artifacts(run.id());
        assertThat(artifacts).extracting(Artifact::name).containsExactly("trajectories.jsonl");
        Path file = Path.of(URI.create(artifacts.get(0).uri()));
        assertThat(artifacts.get(0).sha256()).isEqualTo(Digests.sha256Hex(file));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);

        JsonNode guided = JSON.readTree(lines.get(1));
        assertThat(guided.get("id").asString()).isEqualTo("b");
        assertThat(guided.get("source").asString()).isEqualTo("guided");
        assertThat(guided.get("response").asString()).isEqualTo("red or blue");
        int n = guided.get("response_token_ids").size();
        assertThat(guided.get("prompt_token_ids").size())
                .as("the prompt as the model read it")
                .isPositive();
        assertThat(guided.get("decoding_order").size()).isEqualTo(n);
        assertThat(guided.get("confidences").size()).isEqualTo(n);
        int unmasked = 0;
        for (JsonNode step : guided.get("steps")) {
            unmasked += step.get("positions").size();
        }
        assertThat(unmasked).as("every response position is unmasked once").isEqualTo(n);

        JsonNode free = JSON.readTree(lines.get(2));
        assertThat(free.get("source").asString()).isEqualTo("free");
        assertThat(free.get("response_token_ids").size()).isEqualTo(8);
        for (JsonNode order : free.get("decoding_order")) {
            assertThat(order.asInt()).isBetween(0, 3);
        }
    }

    @Test
    void activationCaptureWritesShardsAndMetadata() throws Exception {
        data(
                "inputs.jsonl",
                "\"one\"",
                "{\"text\":\"two\"}",
                "{\"prompt\":\"thr\",\"response\":\"ee\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"4\"},{\"role\":\"assistant\",\"content\":\"four\"}]}",
                "{\"input_ids\":[1,40,41,42],\"prompt_length\":2}");
        Run run = finished(postOk(
                "/jobs",
                "{\"kind\":\"activation-capture\",\"params\":{\"model\":\"llama\","
                        + "\"input\":\"data/inputs.jsonl\","
                        + "\"hooks\":[\"blocks.0.hook_resid_post\",\"ln_final.hook_normalized\"],"
                        + "\"positions\":\"mean_response\",\"shard_size\":2}}"));
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("mean_response needs a response");

        Run last = finished(postOk(
                "/jobs",
                "{\"kind\":\"activation-capture\",\"params\":{\"model\":\"llama\","
                        + "\"input\":\"data/inputs.jsonl\","
                        + "\"hooks\":[\"blocks.0.hook_resid_post\",\"ln_final.hook_normalized\"],"
                        + "\"positions\":\"last\",\"shard_size\":2}}"));
        assertThat(last.status()).as(last.error()).isEqualTo(RunStatus.SUCCEEDED);
        List<Artifact> artifacts = registry.artifacts(last.id());
        assertThat(artifacts)
                .extracting(Artifact::name)
                .containsExactlyInAnyOrder(
                        "activations/shard-00000.safetensors",
                        "activations/shard-00001.safetensors",
                        "activations/shard-00002.safetensors",
                        "activations/metadata.json");
        Path folder = HOME.resolve("artifacts/runs/" + last.id() + "/activations");
        JsonNode meta = JSON.readTree(Files.readString(folder.resolve("metadata.json")));
        assertThat(meta.get("records").asInt()).isEqualTo(5);
        assertThat(meta.get("shards").size()).isEqualTo(3);
        try (SafetensorsFile shard = SafetensorsFile.open(folder.resolve("shard-00002.safetensors"))) {
            assertThat(shard.require("blocks.0.hook_resid_post").shape()).containsExactly(1, 64);
            assertThat(shard.readLongs("token_ids/0")).containsExactly(1, 40, 41, 42);
        }
        try (SafetensorsFile shard = SafetensorsFile.open(folder.resolve("shard-00000.safetensors"))) {
            assertThat(shard.require("ln_final.hook_normalized").shape()).containsExactly(2, 64);
        }
        assertThat(Files.list(folder).filter(f -> f.toString().endsWith(".partial")))
                .isEmpty();
    }

    @Test
    void badSubmissionsAreRefusedBeforeARunExists() throws Exception {
        problem(
                post(
                        "/jobs",
                        "{\"kind\":\"trajectory-generation\",\"params\":{\"model\":\"llama\","
                                + "\"input\":\"data/x.jsonl\"}}"),
                400,
                "not-a-diffusion-model");
        problem(
                post(
                        "/jobs",
                        "{\"kind\":\"trajectory-generation\",\"params\":{\"model\":\"nope\","
                                + "\"input\":\"data/x.jsonl\"}}"),
                404,
                "model-not-found");
        problem(
                post(
                        "/jobs",
                        "{\"kind\":\"trajectory-generation\",\"params\":{\"model\":\"llada\",\"input\":\"../../x\"}}"),
                400,
                "path-outside-root");
        problem(
                post(
                        "/jobs",
                        "{\"kind\":\"activation-capture\",\"params\":{\"model\":\"llama\","
                                + "\"input\":\"data/inputs.jsonl\","
                                + "\"hooks\":[\"blocks.5.hook_resid_post\"]}}"),
                400,
                "unknown-hook");
    }
}

package dev.lmlab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.lmlab.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/lmlab demo} as a fresh machine runs it: an empty data folder, the embedded PostgreSQL, the service
 * jars this build just packaged, every call through the gateway. Ports are moved off the defaults so a platform
 * a developer has running is left alone.
 */
class DemoEndToEndTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static Path home;
    static Map<String, String> env;

    @Test
    void theDemoRunsEndToEndOnEmbeddedDefaultsAndPrintsItsReport() throws Exception {
        for (Component c : Component.values()) {
            assertThat(ROOT.resolve(c.module()).resolve("target").resolve("lmlab-" + c.shortName() + ".jar"))
                    .as("the full build (./mvnw verify) packages the services before this test")
                    .exists();
        }
        home = Files.createTempDirectory("lmlab-demo-test");
        env = new java.util.HashMap<>(Map.of(
                "LMLAB_ROOT", ROOT.toString(),
                "LMLAB_HOME", home.toString(),
                "LMLAB_DB_PORT", String.valueOf(ChildJvm.freePort())));
        for (Component c : Component.values()) {
            env.put(c.portVariable(), String.valueOf(ChildJvm.freePort()));
        }

        Result demo = launcher("demo");

        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output())
                .contains("all healthy in")
                .contains("no key → 401")
                .contains("0 duplicates, 0 gaps")
                .contains("cancelled between steps")
                .contains("TABOM (λ = 1, τ = 1)")
                .contains("Gain on the new domain")
                .contains("webhook trigger fired twice with event_id deploy-1: one run")
                .contains("granularity axis (level 4 − level 1)")
                .contains("steering sweep: ρ(coefficient, projection)")
                .contains("spliced in (masked CE over mask ratios 0.05–0.5)")
                .contains("Report: 11 stages passed");
        assertThat(home.resolve("admin.key")).exists();
        assertThat(Files.getPosixFilePermissions(home.resolve("admin.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        Result status = launcher("status");
        assertThat(status.exitCode()).as(status.output()).isZero();

        openAiSdkWorksUnchangedThroughTheGateway();
    }

    /**
     * The official OpenAI Java SDK, pointed at the gateway with a platform key, against the model the demo
     * registered: chat (whole and streamed), completions from token ids, the model list, and errors.
     */
    void openAiSdkWorksUnchangedThroughTheGateway() throws Exception {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + env.get(Component.GATEWAY.portVariable()) + "/api/inference/v1")
                .apiKey(Files.readString(home.resolve("admin.key")).trim())
                .maxRetries(0)
                .build();
        try {
            assertThat(client.models().list().data()).extracting(Model::id).contains("demo-llama", "demo-llada");

            ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder()
                    .model("demo-llama")
                    .addSystemMessage("You are terse.")
                    .addUserMessage("Say something")
                    .maxCompletionTokens(12)
                    .temperature(0.0)
                    .logprobs(true)
                    .topLogprobs(2)
                    .build();
            ChatCompletion reply = client.chat().completions().create(chat);
            assertThat(reply.choices()).hasSize(1);
            String content = reply.choices().get(0).message().content().orElseThrow();
            long completionTokens = reply.usage().orElseThrow().completionTokens();
            assertThat(completionTokens).isBetween(0L, 12L);
            assertThat(reply.choices().get(0).logprobs().orElseThrow().content().orElseThrow())
                    .hasSize((int) completionTokens);

            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> stream =
                    client.chat().completions().createStreaming(chat)) {
                stream.stream()
                        .forEach(chunk ->
                                chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
            }
            assertThat(streamed.toString()).isEqualTo(content);

            Completion completion = client.completions()
                    .create(CompletionCreateParams.builder()
                            .model("demo-llama")
                            .prompt(CompletionCreateParams.Prompt.ofArrayOfTokens(List.of(40L, 41L, 42L)))
                            .maxTokens(5)
                            .n(2)
                            .seed(3)
                            .build());
            assertThat(completion.choices()).hasSize(2);
            assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(3);

            ChatCompletion diffusion = client.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("demo-llada")
                            .addUserMessage("Hi")
                            .maxCompletionTokens(8)
                            .build());
            assertThat(diffusion.choices().get(0).finishReason()).isNotNull();

            assertThatThrownBy(() -> client.chat()
                            .completions()
                            .create(ChatCompletionCreateParams.builder()
                                    .model("no-such-model")
                                    .addUserMessage("Hi")
                                    .build()))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.chat()
                            .completions()
                            .create(ChatCompletionCreateParams.builder()
                                    .model("demo-llama")
                                    .addUserMessage("Hi")
                                    .maxCompletionTokens(100_000)
                                    .build()))
                    .isInstanceOf(BadRequestException.class);
        } finally {
            client.close();
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (env != null) {
            Result down = launcher("down");
            assertThat(down.output()).contains("stopped gateway").contains("stopped embedded PostgreSQL");
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    record Result(int exitCode, String output) {}

    static Result launcher(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                command));
        Path out = Files.createTempFile("lmlab-" + command, ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/lmlab " + command + " did not finish:\n" + Files.readString(out));
        }
        String output = Files.readString(out);
        System.out.println(output);
        return new Result(p.exitValue(), output);
    }
}

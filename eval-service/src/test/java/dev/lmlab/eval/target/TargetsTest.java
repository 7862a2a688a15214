package dev.lmlab.eval.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lmlab.eval.EvalProperties;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.ApiException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The allow-list, key references, and how an OpenAI-compatible endpoint's answers become replies or errors. */
class TargetsTest {

    static final JsonMapper JSON = JsonMapper.shared();

    static Targets targets(Path home, String... allowed) {
        EvalProperties eval = new EvalProperties(
                null, 8, List.of(allowed).stream().map(URI::create).toList(), 64, 100);
        PlatformProperties platform = new PlatformProperties(null, "t", home.toString(), null, null, Map.of());
        return new Targets(eval, platform, null, JSON);
    }

    static TargetSpec external(String baseUrl, String keyRef) {
        return new TargetSpec("openai", "m", baseUrl, keyRef, 5);
    }

    static String slug(Runnable call) {
        try {
            call.run();
        } catch (ApiException e) {
            return e.slug();
        }
        return "accepted";
    }

    @Test
    void anEndpointMustLieUnderAnAllowedOneByWholePathSegments() throws Exception {
        Targets t =
                targets(Files.createTempDirectory("targets"), "http://127.0.0.1:5000/v1", "https://api.example.com");
        for (String ok : List.of(
                "http://127.0.0.1:5000/v1",
                "http://127.0.0.1:5000/v1/",
                "http://127.0.0.1:5000/v1/deployments/a",
                "https://api.example.com/v1",
                "https://API.example.com:443/openai/v1")) {
            assertThat(slug(() -> t.check(external(ok, null), "target"))).as(ok).isEqualTo("accepted");
        }
        for (String refused : List.of(
                "http://127.0.0.1:5000/v10",
                "http://127.0.0.1:5001/v1",
                "https://127.0.0.1:5000/v1",
                "http://localhost:5000/v1",
                "http://api.example.com/v1",
                "https://api.example.com.evil.org/v1")) {
            assertThat(slug(() -> t.check(external(refused, null), "target")))
                    .as(refused)
                    .isEqualTo("target-not-allowed");
        }
        for (String malformed : List.of(
                "http://user:pw@127.0.0.1:5000/v1",
                "http://127.0.0.1:5000/v1?key=x",
                "http://127.0.0.1:5000/v1/../admin",
                "file:///etc/passwd",
                "not a url")) {
            assertThat(slug(() -> t.check(external(malformed, null), "target")))
                    .as(malformed)
                    .isEqualTo("invalid-target");
        }
        assertThat(slug(() -> targets(Path.of("/tmp")).check(external("http://127.0.0.1:5000/v1", null), "t")))
                .as("an empty allow-list allows no outside endpoint")
                .isEqualTo("target-not-allowed");
    }

    @Test
    void keysAreReferencesToFilesInTheSecretsFolderOrToEnvironmentVariables() throws Exception {
        Path home = Files.createTempDirectory("targets");
        Targets t = targets(home, "http://127.0.0.1:5000");
        Files.createDirectories(t.secretsFolder());
        Files.writeString(t.secretsFolder().resolve("vendor.key"), "sk-test\n");
        Files.writeString(home.resolve("outside.key"), "sk-outside");
        String base = "http://127.0.0.1:5000/v1";
        assertThat(slug(() -> t.check(external(base, "file:vendor.key"), "target")))
                .isEqualTo("accepted");
        assertThat(slug(() -> t.check(external(base, "file:missing.key"), "target")))
                .isEqualTo("unknown-secret");
        assertThat(slug(() -> t.check(external(base, "file:../outside.key"), "target")))
                .isEqualTo("invalid-target");
        assertThat(slug(() -> t.check(external(base, "sk-a-raw-key"), "target")))
                .isEqualTo("invalid-target");
        assertThat(slug(() -> t.check(external(base, "env:LMLAB_NO_SUCH_VARIABLE_42"), "target")))
                .isEqualTo("unknown-secret");
        assertThat(slug(() -> t.check(new TargetSpec(null, "m", base, null, null), "target")))
                .as("a served model takes no base_url")
                .isEqualTo("invalid-target");
        assertThat(slug(() -> t.check(new TargetSpec("vllm", "m", null, null, null), "target")))
                .isEqualTo("invalid-target");
        assertThat(slug(() -> t.check(new TargetSpec(null, " ", null, null, null), "target")))
                .isEqualTo("invalid-target");
        assertThat(slug(() -> t.check(new TargetSpec(null, "m", null, null, 0), "target")))
                .isEqualTo("invalid-target");
        assertThat(TargetSpec.inference("m").label()).isEqualTo("inference:m");
        assertThat(external("https://api.example.com/v1", null).label()).isEqualTo("openai:m@api.example.com");
    }

    @Test
    void aBusyEndpointIsWaitedOutAndAnythingButACompletionIsATargetError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                int call = calls.incrementAndGet();
                int status = 200;
                String body;
                if (path.endsWith("/busy/completions") && call == 1) {
                    exchange.getResponseHeaders().set("Retry-After", "0.2");
                    status = 503;
                    body = "queue full";
                } else if (path.contains("/refuse/")) {
                    status = 400;
                    body = "{\"error\":\"prompt too long\"}";
                } else if (path.contains("/garbage/")) {
                    body = "<html>hello</html>";
                } else {
                    body = "{\"choices\":[{\"index\":0,\"text\":\"ok " + auth + "\"}],"
                            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        try {
            String root = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            Path home = Files.createTempDirectory("targets");
            Targets t = targets(home, root);
            Files.createDirectories(t.secretsFolder());
            Files.writeString(t.secretsFolder().resolve("k"), "sk-1");
            Sampling s = Sampling.greedy(4);

            Reply reply = t.open(external(root + "/busy", "file:k")).complete("hi", s, 0);
            assertThat(reply.text()).isEqualTo("ok Bearer sk-1");
            assertThat(reply.promptTokens()).isEqualTo(3);
            assertThat(reply.latencyMillis()).as("waited out the Retry-After").isGreaterThanOrEqualTo(200);
            assertThat(calls.get()).isEqualTo(2);

            assertThatThrownBy(() -> t.open(external(root + "/refuse", null)).complete("hi", s, 0))
                    .isInstanceOf(TargetException.class)
                    .hasMessageContaining("answered 400", "prompt too long");
            assertThatThrownBy(() -> t.open(external(root + "/garbage", null)).complete("hi", s, 0))
                    .isInstanceOf(TargetException.class)
                    .hasMessageContaining("not JSON");
            assertThatThrownBy(() ->
                            t.open(external(root + "/chat-missing", null)).chat(List.of(Message.user("hi")), s, 0))
                    .as("a completion answer where a chat answer was due")
                    .isInstanceOf(TargetException.class)
                    .hasMessageContaining("choices[0].message.content");
        } finally {
            server.stop(0);
        }
    }
}

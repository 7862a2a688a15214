package dev.lmlab.gateway;

import dev.lmlab.gatewaytest.upstream.UpstreamServiceApplication;
import dev.lmlab.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One database, one real upstream service ("training") on its own port, and helpers to call the gateway over
 * real HTTP. The upstream is a second Spring application in this JVM; the gateway reaches it through TCP.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class GatewayTestSupport {

    static final String ADMIN_KEY = "lmk_test_admin_0123456789abcdefghij";
    static final String INTERNAL_TOKEN = "gateway-test-internal-token";
    static final String DATABASE = TestPostgres.createDatabase();
    static ConfigurableApplicationContext upstream;

    static synchronized int upstreamPort() {
        if (upstream == null) {
            upstream = new SpringApplicationBuilder(UpstreamServiceApplication.class)
                    .run(
                            "--spring.config.name=upstream",
                            "--server.port=0",
                            "--spring.datasource.url=" + DATABASE,
                            "--lmlab.service.name=training",
                            "--lmlab.internal-token=" + INTERNAL_TOKEN,
                            "--db-scheduler.polling-interval=200ms",
                            "--db-scheduler.heartbeat-interval=500ms",
                            "--lmlab.jobs.progress-interval=0s",
                            "--lmlab.jobs.lease-check-interval=0s");
            Runtime.getRuntime().addShutdownHook(new Thread(upstream::close));
        }
        return Integer.parseInt(upstream.getEnvironment().getProperty("local.server.port"));
    }

    @DynamicPropertySource
    static void gatewayProperties(DynamicPropertyRegistry registry) {
        int port = upstreamPort();
        registry.add("lmlab.test.own-database", () -> "true");
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("lmlab.internal-token", () -> INTERNAL_TOKEN);
        registry.add("lmlab.gateway.admin-key", () -> ADMIN_KEY);
        registry.add("lmlab.home", () -> "target/gateway-test-home");
        registry.add("lmlab.services.training", () -> "http://127.0.0.1:" + port);
        registry.add("lmlab.services.interp", () -> "http://127.0.0.1:9");
        registry.add("lmlab.services.inference", () -> "http://127.0.0.1:" + port);
        registry.add("lmlab.services.eval", () -> "http://127.0.0.1:" + port);
        registry.add("lmlab.http.max-body-size", () -> "64KB");
        registry.add("lmlab.gateway.events.sweep", () -> "500ms");
    }

    final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    HttpRequest.Builder call(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(call(path, key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String key, String json) throws Exception {
        return http.send(
                call(path, key)
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                json == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) {
        return JsonMapper.shared().readTree(response.body());
    }
}

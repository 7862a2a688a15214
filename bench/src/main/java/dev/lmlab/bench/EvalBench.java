package dev.lmlab.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Grading throughput of the eval service, and its overhead over pure model time. For each concurrency it submits
 * one eval run and reads the run's server-side wall time and the summed latency of its target calls from the report.
 * Overhead = wall ÷ (Σ call latency ÷ concurrency): 1.0 means the harness adds nothing to the time the model takes
 * at that concurrency.
 *
 * <pre>
 * EvalBench EVAL_URL TOKEN TARGET BENCHMARK TRIALS CONCURRENCY...
 *   TARGET: stub:MILLIS@PORT (an OpenAI-compatible stub in this JVM, on PORT, that answers after MILLIS ms) or a
 *   served model id
 * </pre>
 *
 * Prints one {@code RESULT} line per concurrency.
 */
public final class EvalBench {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String eval = args[0];
        String token = args[1];
        String target = args[2];
        String benchmark = args[3];
        int trials = Integer.parseInt(args[4]);
        String targetJson;
        HttpServer stub = null;
        if (target.startsWith("stub:")) {
            String[] spec = target.substring(5).split("@");
            stub = stub(Long.parseLong(spec[0]), Integer.parseInt(spec[1]));
            targetJson = "{\"type\":\"openai\",\"model\":\"stub\",\"base_url\":\"http://127.0.0.1:"
                    + stub.getAddress().getPort() + "/v1\"}";
        } else {
            targetJson = "{\"model\":\"" + target + "\"}";
        }
        try {
            for (int i = 5; i < args.length; i++) {
                int concurrency = Integer.parseInt(args[i]);
                String body = "{\"benchmark\":\"" + benchmark + "\",\"target\":" + targetJson + ",\"trials\":" + trials
                        + ",\"concurrency\":" + concurrency + ",\"seed\":" + i + "}";
                JsonNode run = JSON.readTree(send(eval + "/runs", token, body));
                JsonNode report = await(eval + "/runs/" + run.get("id").asString() + "/report", token);
                double wall = Duration.between(
                                        Instant.parse(report.get("started_at").asString()),
                                        Instant.parse(report.get("finished_at").asString()))
                                .toMillis()
                        / 1000.0;
                int graded = report.get("trials_stored").asInt();
                double modelSeconds = report.get("latency_ms").get("total").asDouble() / 1000.0;
                System.out.printf(
                        Locale.ROOT,
                        "RESULT %s %d trials=%d wall_s=%.2f trials_per_s=%.1f items_per_s=%.2f model_s=%.2f overhead=%.2f"
                                + " errors=%d%n",
                        target,
                        concurrency,
                        graded,
                        wall,
                        graded / wall,
                        graded / wall / trials,
                        modelSeconds,
                        wall / (modelSeconds / concurrency),
                        report.get("errors").asInt());
            }
        } finally {
            if (stub != null) {
                stub.stop(0);
            }
        }
    }

    private static JsonNode await(String url, String token) throws Exception {
        for (int i = 0; i < 6000; i++) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("X-LMLab-Internal-Token", token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode report = JSON.readTree(r.body());
            String status = report.path("status").asString("");
            if (status.equals("SUCCEEDED")) {
                return report;
            }
            if (status.equals("FAILED") || status.equals("CANCELLED")) {
                throw new IllegalStateException("the eval run ended " + status + ": " + r.body());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the eval run did not finish in 20 minutes");
    }

    private static String send(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("X-LMLab-Internal-Token", token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Answers every completion or chat request with "ok" after {@code millis}: a model whose time is known. */
    private static HttpServer stub(long millis, int port) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(64));
        byte[] answer = ("{\"choices\":[{\"index\":0,\"text\":\"ok\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":1}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.createContext("/v1/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                Thread.sleep(millis);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }
}

package dev.lmlab.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Grading throughput of the eval service, and its overhead over pure model time. For each concurrency it submits
 * one eval run, reads the run's server-side wall time from its report, then replays the very same requests (each
 * trial's prompt, seed and sampling) straight at the model with the same number in flight: the baseline, in the same
 * invocation, after one unrecorded warm-up round. Overhead = eval wall ÷ direct wall: 1.0 means grading through the
 * service costs nothing over calling
 * the model yourself.
 *
 * <pre>
 * EvalBench EVAL_URL TOKEN TARGET BENCHMARK TRIALS MODEL_URL CONCURRENCY...
 *   TARGET: stub:MILLIS@PORT (an OpenAI-compatible stub in this JVM, on PORT, that answers after MILLIS ms) or a
 *   served model id; MODEL_URL: where the direct calls go (the inference service's /v1 for a served model; ignored
 *   for the stub)
 * </pre>
 *
 * Prints one {@code RESULT} line per concurrency.
 */
public final class EvalBench {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newCachedThreadPool(daemon("bench-http")))
            .build();

    public static void main(String[] args) throws Exception {
        String eval = args[0];
        String token = args[1];
        String target = args[2];
        String benchmark = args[3];
        int trials = Integer.parseInt(args[4]);
        String modelUrl = args[5];
        String targetJson;
        HttpServer stub = null;
        if (target.startsWith("stub:")) {
            String[] spec = target.substring(5).split("@");
            stub = stub(Long.parseLong(spec[0]), Integer.parseInt(spec[1]));
            modelUrl = "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1";
            targetJson = "{\"type\":\"openai\",\"model\":\"stub\",\"base_url\":\"" + modelUrl + "\"}";
        } else {
            targetJson = "{\"model\":\"" + target + "\"}";
        }
        String model = target.startsWith("stub:") ? "stub" : target;
        try {
            // one unrecorded round first: both paths (the service's and the direct one) measured warm
            for (int i = 5; i < args.length; i++) {
                int concurrency = i == 5 ? 4 : Integer.parseInt(args[i]);
                String body = "{\"benchmark\":\"" + benchmark + "\",\"target\":" + targetJson + ",\"trials\":" + trials
                        + ",\"concurrency\":" + concurrency + ",\"seed\":" + i + "}";
                String runId = JSON.readTree(send(eval + "/runs", token, body))
                        .get("id")
                        .asString();
                JsonNode report = await(eval + "/runs/" + runId + "/report", token);
                double wall = Duration.between(
                                        Instant.parse(report.get("started_at").asString()),
                                        Instant.parse(report.get("finished_at").asString()))
                                .toMillis()
                        / 1000.0;
                int graded = report.get("trials_stored").asInt();
                List<String> replay = requests(eval, token, runId, model, report, i, trials);
                double[] measured = direct(modelUrl + "/completions", token, replay, concurrency);
                double direct = measured[0];
                long evalTokens = report.get("tokens").get("completion").asLong();
                if (i == 5) {
                    continue;
                }
                System.out.printf(
                        Locale.ROOT,
                        "RESULT %s %d trials=%d wall_s=%.2f trials_per_s=%.1f items_per_s=%.2f direct_s=%.2f"
                                + " overhead=%.2f errors=%d tokens=%d/%d%n",
                        target.startsWith("stub:") ? "stub-" + target.substring(5, target.indexOf('@')) + "ms" : target,
                        concurrency,
                        graded,
                        wall,
                        graded / wall,
                        graded / wall / trials,
                        direct,
                        wall / direct,
                        report.get("errors").asInt(),
                        evalTokens,
                        (long) measured[1]);
            }
        } finally {
            if (stub != null) {
                stub.stop(0);
            }
        }
    }

    /**
     * The completion requests the run made, rebuilt from its stored trials: prompt, the spec's sampling and the very
     * seed the run used (trial t of item i: run seed + (i·k + t)·64), so the model does the same work on both paths.
     */
    private static List<String> requests(
            String eval, String token, String runId, String model, JsonNode report, long runSeed, int k)
            throws Exception {
        String benchmark = report.get("benchmark").asString();
        JsonNode spec =
                JSON.readTree(get(eval + "/benchmarks/" + benchmark, token)).get("spec");
        Map<String, Integer> ordinal = new HashMap<>();
        JSON.readTree(get(eval + "/benchmarks/" + benchmark + "/items?size=1000", token))
                .get("items")
                .forEach(item -> ordinal.put(
                        item.get("id").asString(), item.get("ordinal").asInt()));
        List<String> bodies = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode trials = JSON.readTree(get(eval + "/runs/" + runId + "/trials?size=500&page=" + page, token))
                    .get("trials");
            if (trials.isEmpty()) {
                return bodies;
            }
            for (JsonNode t : trials) {
                long seed = runSeed
                        + ((long) ordinal.get(t.get("item_id").asString()) * k
                                        + t.get("trial").asInt())
                                * 64;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", model);
                r.put("prompt", t.get("prompt").asString());
                r.put("max_tokens", spec.get("max_tokens").asInt());
                r.put("temperature", spec.path("temperature").asDouble(1.0));
                r.put("seed", seed);
                bodies.add(JSON.writeValueAsString(r));
            }
        }
    }

    /** Seconds to send every request straight to the model, {@code concurrency} at a time, and the tokens it wrote. */
    private static double[] direct(String url, String token, List<String> bodies, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("direct"));
        try {
            long start = System.nanoTime();
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (String body : bodies) {
                answers.add(pool.submit(() -> HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("X-LMLab-Internal-Token", token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())));
            }
            long tokens = 0;
            for (Future<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get();
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("a direct call answered " + r.statusCode() + ": " + r.body());
                }
                tokens += JSON.readTree(r.body())
                        .path("usage")
                        .path("completion_tokens")
                        .asLong();
            }
            return new double[] {(System.nanoTime() - start) / 1e9, tokens};
        } finally {
            pool.shutdownNow();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static String get(String url, String token) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("X-LMLab-Internal-Token", token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
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
        // daemon threads: the stub must not keep the JVM alive once main returns
        server.setExecutor(Executors.newFixedThreadPool(64, daemon("stub")));
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

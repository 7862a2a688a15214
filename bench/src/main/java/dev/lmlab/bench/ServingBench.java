package dev.lmlab.bench;

import ai.djl.Device;
import dev.lmlab.core.generate.Generation;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import dev.lmlab.core.model.LanguageModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Aggregate throughput and latency of {@code /v1/completions} under concurrent clients, each sending requests
 * one after another (closed loop). With {@code --direct <checkpoint>} it instead calls lm-core's generator in
 * this JVM, one request at a time, as the baseline for what the HTTP layer costs.
 *
 * <p>usage: ServingBench baseUrl internalToken model maxTokens requestsPerClient clients... | ServingBench --direct
 * folder maxTokens requests
 *
 * <p>Each client count runs at least 16 requests in all. Prints {@code RESULT <clients> <tok/s> <p50 ms> <p99 ms>
 * <tokens>} per client count.
 */
public final class ServingBench {

    private static final JsonMapper JSON = JsonMapper.shared();

    private ServingBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--direct")) {
            direct(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        String base = args[0];
        String token = args[1];
        String model = args[2];
        int maxTokens = Integer.parseInt(args[3]);
        int perClient = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(java.util.concurrent.Executors.newCachedThreadPool())
                .build();
        // warm-up: JIT and the model's first load
        for (int i = 0; i < 3; i++) {
            call(http, base, token, model, maxTokens, 1000 + i);
        }
        for (int a = 5; a < args.length; a++) {
            int clients = Integer.parseInt(args[a]);
            // at least 16 requests per round, so one client's figure is not four short requests' noise
            int requests = Math.max(perClient, (16 + clients - 1) / clients);
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong tokens = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (int r = 0; r < requests; r++) {
                            long t0 = System.nanoTime();
                            tokens.addAndGet(call(http, base, token, model, maxTokens, client * 1000 + r));
                            latencies.add(System.nanoTime() - t0);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            report(clients, tokens.get(), System.nanoTime() - t0, latencies);
        }
    }

    /** One completion; returns its completion tokens. */
    private static long call(HttpClient http, String base, String token, String model, int maxTokens, int seed)
            throws Exception {
        String body = String.format(
                Locale.ROOT,
                "{\"model\":\"%s\",\"prompt\":[1,%d,%d,%d],\"max_tokens\":%d,\"temperature\":0.8,\"seed\":%d}",
                model,
                40 + seed % 50,
                41 + seed % 40,
                42 + seed % 30,
                maxTokens,
                seed);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                        .header("X-LMLab-Internal-Token", token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("completions answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode usage = JSON.readTree(r.body()).get("usage");
        return usage.get("completion_tokens").asLong();
    }

    /** lm-core's generator called in-process, one request at a time, with the same prompts and sampling. */
    private static void direct(Path folder, int maxTokens, int requests) {
        try (LanguageModel model = LanguageModel.load(folder, Device.cpu())) {
            Generator generator = new Generator(model);
            for (int i = 0; i < 3; i++) {
                generate(generator, maxTokens, 1000 + i);
            }
            List<Long> latencies = new ArrayList<>();
            long tokens = 0;
            long t0 = System.nanoTime();
            for (int r = 0; r < requests; r++) {
                long s = System.nanoTime();
                tokens += generate(generator, maxTokens, r);
                latencies.add(System.nanoTime() - s);
            }
            report(0, tokens, System.nanoTime() - t0, latencies);
        }
    }

    private static long generate(Generator generator, int maxTokens, int seed) {
        long[] prompt = {1, 40 + seed % 50, 41 + seed % 40, 42 + seed % 30};
        Generation g = generator
                .generate(List.of(prompt), new SamplingParams(maxTokens, 0.8, 0, 1, 1, List.of(), Set.of(), seed, 0))
                .get(0);
        return g.tokenIds().length;
    }

    private static void report(int clients, long tokens, long nanos, List<Long> latencies) {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double seconds = nanos / 1e9;
        System.out.printf(
                Locale.ROOT,
                "RESULT %d %.1f %.1f %.1f %d%n",
                clients,
                tokens / seconds,
                pct(sorted, 50) / 1e6,
                pct(sorted, 99) / 1e6,
                tokens);
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int at = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, at)));
    }
}

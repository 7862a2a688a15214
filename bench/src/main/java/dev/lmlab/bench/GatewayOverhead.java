package dev.lmlab.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the gateway adds to a request: the same call ({@code GET /info} of the training service) made directly
 * with the internal token and through the gateway with an API key, alternated request by request so both see
 * the same machine noise. Prints latency percentiles of each and their difference.
 *
 * <p>usage: GatewayOverhead gatewayUrl serviceUrl apiKey internalToken [requests] [warmup]
 */
public final class GatewayOverhead {

    private GatewayOverhead() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: GatewayOverhead gatewayUrl serviceUrl apiKey internalToken [requests] [warmup]");
            System.exit(2);
        }
        String gateway = args[0];
        String service = args[1];
        int requests = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 300;
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest viaGateway = HttpRequest.newBuilder(URI.create(gateway + "/api/training/info"))
                .header("Authorization", "Bearer " + args[2])
                .build();
        HttpRequest direct = HttpRequest.newBuilder(URI.create(service + "/info"))
                .header("X-LMLab-Internal-Token", args[3])
                .build();

        for (int i = 0; i < warmup; i++) {
            time(http, viaGateway);
            time(http, direct);
        }
        long[] gw = new long[requests];
        long[] dir = new long[requests];
        for (int i = 0; i < requests; i++) {
            if (i % 2 == 0) {
                gw[i] = time(http, viaGateway);
                dir[i] = time(http, direct);
            } else {
                dir[i] = time(http, direct);
                gw[i] = time(http, viaGateway);
            }
        }
        Arrays.sort(gw);
        Arrays.sort(dir);
        System.out.printf(
                Locale.ROOT,
                "requests per path: %d (after %d warm-up pairs), one client, keep-alive%n",
                requests,
                warmup);
        System.out.printf(Locale.ROOT, "%-16s %9s %9s %9s %9s%n", "path", "p50 ms", "p90 ms", "p99 ms", "mean ms");
        row("direct", dir);
        row("via gateway", gw);
        System.out.printf(
                Locale.ROOT,
                "%-16s %9.3f %9.3f %9.3f %9.3f%n",
                "gateway adds",
                ms(pct(gw, 50) - pct(dir, 50)),
                ms(pct(gw, 90) - pct(dir, 90)),
                ms(pct(gw, 99) - pct(dir, 99)),
                ms(mean(gw) - mean(dir)));
        System.out.printf(
                Locale.ROOT,
                "ratio p50 %.2f, p99 %.2f%n",
                (double) pct(gw, 50) / pct(dir, 50),
                (double) pct(gw, 99) / pct(dir, 99));
    }

    private static long time(HttpClient http, HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        long elapsed = System.nanoTime() - start;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return elapsed;
    }

    private static void row(String name, long[] sorted) {
        System.out.printf(
                Locale.ROOT,
                "%-16s %9.3f %9.3f %9.3f %9.3f%n",
                name,
                ms(pct(sorted, 50)),
                ms(pct(sorted, 90)),
                ms(pct(sorted, 99)),
                ms(mean(sorted)));
    }

    private static long pct(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double mean(long[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }
}

package dev.lmlab.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Real peer services for integration tests, started once per test JVM from their built jars and stopped when it
 * exits. A service test that calls another service over HTTP talks to the real one, as in a deployment: the peer
 * shares the test's data folder (so both resolve the same models and artifacts roots) and database (each service
 * keeps its own schema).
 */
public final class PeerServices {

    private static final Map<String, ChildJvm> RUNNING = new HashMap<>();

    private PeerServices() {}

    /**
     * The settings of a service under test that works beside a real inference service: one data folder and one
     * database for both, the internal token, and job timings short enough for tests.
     */
    public static void besideInference(DynamicPropertyRegistry registry, Path home, String token, String database) {
        besideInference(registry, home, token, database, List.of());
    }

    /** As above, with the inference service started with {@code inferenceArgs} (its own process for them). */
    public static void besideInference(
            DynamicPropertyRegistry registry, Path home, String token, String database, List<String> inferenceArgs) {
        registry.add("lmlab.internal-token", () -> token);
        registry.add("lmlab.home", home::toString);
        registry.add("lmlab.test.own-database", () -> "true");
        registry.add("spring.datasource.url", () -> database);
        registry.add("lmlab.services.inference", () -> inference(home, token, database, inferenceArgs));
        registry.add("db-scheduler.polling-interval", () -> "200ms");
        registry.add("lmlab.jobs.progress-interval", () -> "0s");
        registry.add("lmlab.jobs.lease-check-interval", () -> "0s");
        registry.add("lmlab.jobs.metric-flush-interval", () -> "0s");
    }

    /** The inference service's base URL, starting it on first use. */
    public static String inference(Path home, String token, String database) {
        return inference(home, token, database, List.of());
    }

    /**
     * The inference service's base URL, started with extra arguments (e.g. {@code --lmlab.services.interp=...} for a
     * test of a service it calls back); one process per distinct set of arguments.
     */
    public static String inference(Path home, String token, String database, List<String> args) {
        return start(
                "inference",
                Path.of("..", "inference-service", "target", "lmlab-inference.jar"),
                home,
                token,
                database,
                args);
    }

    /** The eval service's base URL (it calls the inference service at {@code inferenceUrl}), started on first use. */
    public static String eval(Path home, String token, String database, String inferenceUrl, List<String> args) {
        List<String> all = new java.util.ArrayList<>(args);
        all.add("--lmlab.services.inference=" + inferenceUrl);
        return start("eval", Path.of("..", "eval-service", "target", "lmlab-eval.jar"), home, token, database, all);
    }

    private static synchronized String start(
            String name, Path jar, Path home, String token, String database, List<String> extra) {
        String key = name + "|" + home + "|" + database + "|" + extra;
        ChildJvm jvm = RUNNING.get(key);
        if (jvm == null) {
            try {
                List<String> args = new java.util.ArrayList<>(List.of(
                        "--spring.datasource.url=" + database,
                        "--lmlab.home=" + home,
                        "--lmlab.internal-token=" + token,
                        "--db-scheduler.polling-interval=200ms",
                        "--lmlab.jobs.progress-interval=0s"));
                args.addAll(extra);
                jvm = ChildJvm.startJar(name + "-peer-" + RUNNING.size(), jar, args, "512m");
                ChildJvm started = jvm;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                jvm.awaitHealthy(Duration.ofSeconds(120));
                RUNNING.put(key, jvm);
            } catch (Exception e) {
                throw new IllegalStateException("could not start the " + name + " service for the tests", e);
            }
        }
        return "http://127.0.0.1:" + jvm.port();
    }
}

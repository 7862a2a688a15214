package dev.lmlab.training;

import dev.lmlab.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real inference service, started once per test JVM from its built jar, sharing the test's data folder (so the
 * models root is the same for both services, as it is in a deployment). Training tests register checkpoints with it
 * and read base models and trajectory datasets from it over HTTP.
 */
final class InferencePeer {

    static final Path JAR = Path.of("..", "inference-service", "target", "lmlab-inference.jar");

    private static ChildJvm jvm;

    private InferencePeer() {}

    static synchronized String url(Path home, String token, String database) {
        if (jvm == null) {
            try {
                jvm = ChildJvm.startJar(
                        "inference-peer",
                        JAR,
                        List.of(
                                "--spring.datasource.url=" + database,
                                "--lmlab.home=" + home,
                                "--lmlab.internal-token=" + token,
                                "--db-scheduler.polling-interval=200ms",
                                "--lmlab.jobs.progress-interval=0s"),
                        "512m");
                ChildJvm started = jvm;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                jvm.awaitHealthy(Duration.ofSeconds(120));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the inference service for the tests", e);
            }
        }
        return "http://127.0.0.1:" + jvm.port();
    }
}

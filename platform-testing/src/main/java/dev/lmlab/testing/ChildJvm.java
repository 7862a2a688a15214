package dev.lmlab.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spring Boot application started as a separate JVM on the test classpath, for tests that must kill a
 * process for real ({@code SIGKILL}, no shutdown hooks) or run several replicas side by side.
 */
public final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ChildJvm(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code --server.port} set to a free port and the given Spring arguments;
     * its output goes to {@code target/child-jvms/<name>.log}.
     */
    public static ChildJvm start(String name, Class<?> mainClass, List<String> springArgs) throws IOException {
        return launch(
                name, List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()), springArgs, "384m");
    }

    /**
     * Starts a built service jar (a peer service the test talks to over HTTP, as in production), with {@code
     * --server.port} set to a free port; fails with how to build it when the jar is missing.
     */
    public static ChildJvm startJar(String name, Path jar, List<String> springArgs, String heap) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar.toAbsolutePath() + " is missing: this test runs the peer service from its"
                    + " jar; build it first (./mvnw -pl <module> package -DskipTests, or run the whole ./mvnw verify)");
        }
        return launch(name, List.of("-jar", jar.toString()), springArgs, heap);
    }

    private static ChildJvm launch(String name, List<String> target, List<String> springArgs, String heap)
            throws IOException {
        int port = freePort();
        Path logDir = Path.of("target", "child-jvms");
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx" + heap, "-Xshare:auto"));
        // as every LM Lab JVM runs: the decode kernels' Vector API, and DJL never downloading anything
        command.addAll(List.of("--add-modules=jdk.incubator.vector", "-Dai.djl.offline=true"));
        command.addAll(target);
        command.add("--server.port=" + port);
        command.addAll(springArgs);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
        return new ChildJvm(name, process, port, log);
    }

    /** Waits until {@code /actuator/health} answers UP; fails with the child's log tail otherwise. */
    public ChildJvm awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("UP")) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Await.sleep(200);
        }
        throw new AssertionError(name + " was not healthy within " + timeout + ":\n" + logTail());
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGKILL: the JVM gets no chance to run shutdown hooks, release locks or finish its job. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}

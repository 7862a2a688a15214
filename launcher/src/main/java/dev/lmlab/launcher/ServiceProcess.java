package dev.lmlab.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One service JVM: started detached (it outlives the launcher), found again by its pid file. */
final class ServiceProcess {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Component component;
    private final Layout layout;
    private final Map<String, String> env;

    ServiceProcess(Component component, Layout layout, Map<String, String> env) {
        this.component = component;
        this.layout = layout;
        this.env = env;
    }

    Component component() {
        return component;
    }

    int port() {
        return component.port(env);
    }

    /** The running process, if the pid file names a live JVM running this component's jar. */
    Optional<ProcessHandle> running() {
        Path pidFile = layout.pid(component.shortName());
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            String jar = layout.installedJar(component).getFileName().toString();
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p ->
                            p.info().commandLine().map(cmd -> cmd.contains(jar)).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts the JVM in its own session from a copy of the built jar, logs appended to {@code
     * $LMLAB_HOME/logs/<name>.log}.
     */
    ProcessHandle start(Map<String, String> serviceEnv) throws IOException {
        Path built = layout.jar(component);
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " is missing: run ./mvnw -DskipTests package (bin/lmlab does)");
        }
        Path jar = layout.installedJar(component);
        Files.copy(built, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(javaBinary());
        command.add("-Xmx" + component.heap());
        command.add("-XX:+UseSerialGC");
        command.add("--add-modules=jdk.incubator.vector"); // lm-core's CPU decode kernels
        command.add("-Dai.djl.offline=true");
        String extra = env.get("LMLAB_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(layout.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        layout.log(component.shortName()).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(serviceEnv);
        Process process = builder.start();
        Files.writeString(layout.pid(component.shortName()), String.valueOf(process.pid()));
        return process.toHandle();
    }

    /** Readiness as the service reports it (Actuator's readiness group). */
    boolean ready() {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM (graceful: jobs hand over at their next step), then SIGKILL after the grace period. */
    boolean stop(Duration grace) throws InterruptedException {
        Optional<ProcessHandle> p = running();
        if (p.isEmpty()) {
            return false;
        }
        p.get().destroy();
        long deadline = System.nanoTime() + grace.toNanos();
        while (p.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (p.get().isAlive()) {
            p.get().destroyForcibly();
        }
        return true;
    }

    /** SIGKILL, no grace: what a crash looks like to the rest of the platform. */
    void kill() throws InterruptedException {
        Optional<ProcessHandle> p = running();
        if (p.isPresent()) {
            p.get().destroyForcibly();
            while (p.get().isAlive()) {
                Thread.sleep(50);
            }
        }
    }

    /** Whether the jar built since this component was started differs from the one it runs. */
    boolean runsOlderBuild() {
        try {
            Path built = layout.jar(component);
            Path installed = layout.installedJar(component);
            return Files.exists(built)
                    && Files.exists(installed)
                    && Files.getLastModifiedTime(built).compareTo(Files.getLastModifiedTime(installed)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(layout.log(component.shortName()));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static String javaBinary() {
        String home = System.getProperty("java.home");
        return Path.of(home, "bin", "java").toString();
    }
}

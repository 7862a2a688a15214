package dev.lmlab.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code up}, {@code down} and {@code status}: the platform's processes on one host. */
final class Platform {

    static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final Layout layout;
    private final Map<String, String> env;
    private final Console console;
    private final Database database;
    private final Map<Component, ServiceProcess> processes = new LinkedHashMap<>();

    Platform(Layout layout, Map<String, String> env, Console console) {
        this.layout = layout;
        this.env = env;
        this.console = console;
        this.database = new Database(layout, env);
        for (Component c : Component.values()) {
            processes.put(c, new ServiceProcess(c, layout, env));
        }
    }

    String gatewayUrl() {
        return "http://127.0.0.1:" + Component.GATEWAY.port(env);
    }

    ServiceProcess process(Component c) {
        return processes.get(c);
    }

    /** Whether the gateway and every service answer ready. */
    boolean healthy() {
        return processes.values().stream().allMatch(ServiceProcess::ready);
    }

    /** Starts what is not running and waits until everything is ready; returns the seconds it took. */
    double up() throws Exception {
        long start = System.nanoTime();
        layout.createFolders();
        console.line("database   " + database.describe());
        database.start();
        Map<String, String> serviceEnv = serviceEnvironment();
        List<Component> started = new ArrayList<>();
        for (ServiceProcess p : processes.values()) {
            if (p.running().isEmpty()) {
                p.start(serviceEnv);
                started.add(p.component());
            }
        }
        console.line("services   " + (started.isEmpty() ? "already running" : "starting " + names(started)));
        List<Component> outdated = processes.values().stream()
                .filter(p -> !started.contains(p.component()) && p.runsOlderBuild())
                .map(ServiceProcess::component)
                .toList();
        if (!outdated.isEmpty()) {
            console.warn(names(outdated) + " still run" + (outdated.size() == 1 ? "s" : "")
                    + " the previous build; bin/lmlab down && bin/lmlab up to switch to the new one");
        }
        awaitReady(start);
        double seconds = (System.nanoTime() - start) / 1e9;
        console.ok(String.format(Locale.ROOT, "all healthy in %.1f s", seconds));
        console.line("gateway    " + gatewayUrl() + "   (API docs: " + gatewayUrl() + "/swagger-ui.html)");
        console.line("admin key  "
                + (present("LMLAB_ADMIN_KEY")
                        ? "LMLAB_ADMIN_KEY"
                        : layout.adminKey().toString()));
        console.line("logs       " + layout.logs());
        return seconds;
    }

    /** Waits for readiness, redrawing one status line; fails fast with a log tail if a JVM exits. */
    void awaitReady(long startNanos) throws InterruptedException {
        long deadline = startNanos + START_TIMEOUT.toNanos();
        while (true) {
            StringBuilder line = new StringBuilder();
            boolean all = true;
            for (ServiceProcess p : processes.values()) {
                boolean ready = p.ready();
                all &= ready;
                if (!ready && p.running().isEmpty()) {
                    console.endStatus();
                    console.fail(p.component().shortName() + " exited while starting; last log lines:");
                    console.raw(p.logTail(30));
                    throw new IllegalStateException(p.component().shortName() + " did not start; see "
                            + layout.log(p.component().shortName()));
                }
                line.append(ready ? console.green("●") : console.dim("○"))
                        .append(' ')
                        .append(p.component().shortName())
                        .append("  ");
            }
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            console.status(line + String.format(Locale.ROOT, "%4.0f s", elapsed), all);
            if (all) {
                console.endStatus();
                return;
            }
            if (System.nanoTime() > deadline) {
                console.endStatus();
                throw new IllegalStateException(
                        "Not ready after " + START_TIMEOUT.toSeconds() + " s; see " + layout.logs());
            }
            Thread.sleep(500);
        }
    }

    void down() throws Exception {
        List<Component> order = new ArrayList<>(List.of(Component.GATEWAY));
        order.addAll(Component.services());
        for (Component c : order) {
            if (processes.get(c).stop(Duration.ofSeconds(30))) {
                console.ok("stopped " + c.shortName());
            }
        }
        if (!database.external() && database.stop()) {
            console.ok("stopped embedded PostgreSQL");
        }
    }

    /** Prints each component's state; returns whether everything is up. */
    boolean status() {
        boolean all = true;
        String db = database.external()
                ? "external  " + database.url()
                : database.embeddedPid()
                        .map(p -> "running   pid " + p.pid() + ", port " + database.embeddedPort())
                        .orElse("stopped");
        all &= database.external() || database.embeddedPid().isPresent();
        console.line(String.format(Locale.ROOT, "%-10s %s", "postgres", db));
        for (ServiceProcess p : processes.values()) {
            String state = p.running()
                    .map(h -> (p.ready() ? console.green("ready") : console.yellow("starting")) + "     pid " + h.pid()
                            + ", port " + p.port())
                    .orElse(console.red("stopped"));
            all &= p.running().isPresent() && p.ready();
            console.line(String.format(Locale.ROOT, "%-10s %s", p.component().shortName(), state));
        }
        return all;
    }

    /** Restarts one service (the demo's crash stage uses it after a SIGKILL). */
    void start(Component c) throws IOException {
        processes.get(c).start(serviceEnvironment());
    }

    Map<String, String> serviceEnvironment() throws IOException {
        Map<String, String> e = new HashMap<>();
        e.put("LMLAB_HOME", layout.home().toString());
        e.put("LMLAB_INTERNAL_TOKEN", internalToken());
        e.put("LMLAB_DB_URL", database.url());
        e.putIfAbsent("LMLAB_DB_USER", env.getOrDefault("LMLAB_DB_USER", "postgres"));
        e.putIfAbsent("LMLAB_DB_PASSWORD", env.getOrDefault("LMLAB_DB_PASSWORD", ""));
        for (Component c : Component.values()) {
            e.put(c.portVariable(), String.valueOf(c.port(env)));
        }
        for (Component c : Component.services()) {
            e.put("LMLAB_" + c.shortName().toUpperCase(Locale.ROOT) + "_URL", "http://127.0.0.1:" + c.port(env));
        }
        // one host: a worker that stops heart-beating for 8 s is dead, and its jobs move on quickly
        e.putIfAbsent("DB_SCHEDULER_HEARTBEAT_INTERVAL", env.getOrDefault("DB_SCHEDULER_HEARTBEAT_INTERVAL", "2s"));
        return e;
    }

    /** The shared secret between gateway and services: from the environment, or generated once per data folder. */
    String internalToken() throws IOException {
        if (present("LMLAB_INTERNAL_TOKEN")) {
            return env.get("LMLAB_INTERNAL_TOKEN");
        }
        Path file = layout.secrets().resolve("internal.token");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n");
        return token;
    }

    private boolean present(String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private static String names(List<Component> components) {
        return String.join(", ", components.stream().map(Component::shortName).toList());
    }
}

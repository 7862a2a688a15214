package dev.lmlab.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where things live: the source checkout ({@code LMLAB_ROOT}, set by bin/lmlab) and the data folder ({@code
 * LMLAB_HOME}, default {@code <root>/data}) with the database, logs, pid files and secrets.
 */
record Layout(Path root, Path home) {

    static Layout fromEnvironment(Map<String, String> env) {
        Path root =
                Path.of(env.getOrDefault("LMLAB_ROOT", ".")).toAbsolutePath().normalize();
        String home = env.get("LMLAB_HOME");
        Path data = home == null || home.isBlank()
                ? root.resolve("data")
                : Path.of(home).toAbsolutePath().normalize();
        return new Layout(root, data);
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path pids() {
        return home.resolve("run");
    }

    Path postgresData() {
        return home.resolve("postgres");
    }

    Path secrets() {
        return home.resolve("secrets");
    }

    Path adminKey() {
        return home.resolve("admin.key");
    }

    Path jar(Component c) {
        return root.resolve(c.module()).resolve("target").resolve("lmlab-" + c.shortName() + ".jar");
    }

    /**
     * The copy of a component's jar the running JVM uses: rebuilding {@link #jar} while the platform runs must
     * not pull the classes from under a live JVM.
     */
    Path installedJar(Component c) {
        return pids().resolve(jar(c).getFileName());
    }

    Path log(String name) {
        return logs().resolve(name + ".log");
    }

    Path pid(String name) {
        return pids().resolve(name + ".pid");
    }

    void createFolders() throws java.io.IOException {
        for (Path p : new Path[] {home, logs(), pids(), secrets()}) {
            Files.createDirectories(p);
        }
    }
}

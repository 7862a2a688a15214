package dev.lmlab.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The platform's PostgreSQL: the server in {@code LMLAB_DB_URL} when set, otherwise an embedded PostgreSQL
 * whose data lives in {@code $LMLAB_HOME/postgres} and which keeps running after {@code up} returns (until
 * {@code down}).
 */
final class Database {

    static final int DEFAULT_EMBEDDED_PORT = 5433;
    static final String DATABASE = "lmlab";

    private final Layout layout;
    private final Map<String, String> env;

    Database(Layout layout, Map<String, String> env) {
        this.layout = layout;
        this.env = env;
    }

    boolean external() {
        String url = env.get("LMLAB_DB_URL");
        return url != null && !url.isBlank();
    }

    int embeddedPort() {
        String port = env.get("LMLAB_DB_PORT");
        return port == null || port.isBlank() ? DEFAULT_EMBEDDED_PORT : Integer.parseInt(port.trim());
    }

    /** The JDBC URL services get. */
    String url() {
        return external() ? env.get("LMLAB_DB_URL") : "jdbc:postgresql://127.0.0.1:" + embeddedPort() + "/" + DATABASE;
    }

    String describe() {
        return external()
                ? "PostgreSQL at " + url()
                : "embedded PostgreSQL on port " + embeddedPort() + ", data in " + layout.postgresData();
    }

    /** Starts the embedded server if it is not running, and makes sure the {@code lmlab} database exists. */
    void start() throws IOException, SQLException {
        if (external()) {
            try (Connection c = DriverManager.getConnection(
                    url(), env.getOrDefault("LMLAB_DB_USER", "postgres"), env.getOrDefault("LMLAB_DB_PASSWORD", ""))) {
                return;
            }
        }
        if (embeddedPid().isEmpty()) {
            Files.createDirectories(layout.postgresData());
            EmbeddedPostgres.builder()
                    .setDataDirectory(layout.postgresData())
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(embeddedPort())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                            layout.log("postgres").toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                            layout.log("postgres").toFile()))
                    .start();
        }
        String admin = "jdbc:postgresql://127.0.0.1:" + embeddedPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    /** The postmaster's pid, from its pid file, if it is alive. */
    Optional<ProcessHandle> embeddedPid() {
        Path pidFile = layout.postgresData().resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Fast shutdown (SIGINT): open sessions end, data is flushed. */
    boolean stop() throws IOException, InterruptedException {
        Optional<ProcessHandle> postmaster = embeddedPid();
        if (postmaster.isEmpty()) {
            return false;
        }
        new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.get().pid()))
                .inheritIO()
                .start()
                .waitFor();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (postmaster.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return true;
    }
}

package dev.lmlab.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one place tests get a real PostgreSQL from, and a fresh empty database on it per use.
 *
 * <p>The server is chosen once per JVM, in this order:
 *
 * <ol>
 *   <li>{@code LMLAB_TEST_DB_URL}: a JDBC URL of a server database whose user may create databases
 *       (CI sets {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres});
 *   <li>Testcontainers, where a Docker engine answers;
 *   <li>an embedded PostgreSQL (zonky binaries, extracted under the temp folder).
 * </ol>
 *
 * Every test context gets its own database ({@code lmlab_t_<epoch>_<random>}), so services start against
 * an empty database exactly as they do in production, and tests never see each other's rows. Databases
 * are dropped when the JVM exits; ones left by killed JVMs are swept when older than six hours.
 */
public final class TestPostgres {

    public static final String SERVER_URL_ENV = "LMLAB_TEST_DB_URL";

    private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);
    private static final String DB_PREFIX = "lmlab_t_";
    private static final Duration STALE_AFTER = Duration.ofHours(6);

    private static Server server;
    private static final List<String> created = new ArrayList<>();

    private TestPostgres() {}

    /** A JDBC URL (user and password included as parameters) of a new, empty database. */
    public static synchronized String createDatabase() {
        Server s = server();
        String name = DB_PREFIX + Instant.now().getEpochSecond() + "_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        execute(s.adminUrl(), "CREATE DATABASE " + name);
        created.add(name);
        return s.urlOf(name);
    }

    /** Where the chosen server came from, for test logs: env, testcontainers or embedded. */
    public static synchronized String origin() {
        return server().origin();
    }

    private static Server server() {
        if (server == null) {
            server = startServer();
            sweepStaleDatabases(server);
            Server s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dropCreated(s), "test-db-cleanup"));
            log.info("Tests use PostgreSQL from {}: {}", s.origin(), s.adminUrl());
        }
        return server;
    }

    private static Server startServer() {
        String fromEnv = System.getenv(SERVER_URL_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Server("env", fromEnv.trim());
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            String url = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?") + "user="
                    + container.getUsername() + "&password=" + container.getPassword();
            return new Server("testcontainers", url);
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg), "embedded-pg-stop"));
            return new Server("embedded", pg.getJdbcUrl("postgres", "postgres"));
        } catch (Exception e) {
            throw new IllegalStateException(
                    "No PostgreSQL for tests: set " + SERVER_URL_ENV
                            + " to a server (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres),"
                            + " or run a Docker engine; the embedded server failed to start",
                    e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static void sweepStaleDatabases(Server s) {
        long cutoff = Instant.now().minus(STALE_AFTER).getEpochSecond();
        List<String> stale = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(s.adminUrl());
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + DB_PREFIX + "%'")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String[] parts = name.substring(DB_PREFIX.length()).split("_");
                if (parts.length == 2
                        && parts[0].chars().allMatch(Character::isDigit)
                        && Long.parseLong(parts[0]) < cutoff) {
                    stale.add(name);
                }
            }
        } catch (SQLException e) {
            log.warn("Could not list old test databases on {}: {}", s.adminUrl(), e.getMessage());
        }
        stale.forEach(name -> dropQuietly(s, name));
    }

    private static synchronized void dropCreated(Server s) {
        created.forEach(name -> dropQuietly(s, name));
    }

    private static void dropQuietly(Server s, String name) {
        try {
            execute(s.adminUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (RuntimeException e) {
            log.debug("Could not drop test database {}: {}", name, e.getMessage());
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' failed on " + url + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the JVM is exiting; the temp folder goes with the embedded server
        }
    }

    /** A server reachable with one admin JDBC URL; {@code urlOf} swaps the database name in it. */
    record Server(String origin, String adminUrl) {
        String urlOf(String database) {
            String prefix = "jdbc:postgresql://";
            if (!adminUrl.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                throw new IllegalStateException(SERVER_URL_ENV + " must be a jdbc:postgresql:// URL: " + adminUrl);
            }
            int slash = adminUrl.indexOf('/', prefix.length());
            int query = adminUrl.indexOf('?');
            String hostPart = slash < 0
                    ? adminUrl.substring(0, query < 0 ? adminUrl.length() : query)
                    : adminUrl.substring(0, slash);
            String params = query < 0 ? "" : adminUrl.substring(query);
            return hostPart + "/" + database + params;
        }
    }
}

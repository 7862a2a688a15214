package dev.lmlab.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;

/**
 * Brings the database up to date at start-up, in two owned layers: the shared run registry (schema {@code
 * registry}, owned by platform-common), then the service's schema (Spring Boot's Flyway: the job queue that
 * platform-common ships as version 0.1, then the service's own migrations). A session advisory lock serialises
 * start-ups, so any number of services may start at once against an empty database.
 */
public class PlatformMigrations implements FlywayMigrationStrategy {

    private static final Logger log = LoggerFactory.getLogger(PlatformMigrations.class);
    /** An arbitrary constant shared by every LM Lab process ("LMLAB" in ASCII). */
    private static final long MIGRATION_LOCK = 0x4C4D4C4142L;

    private final DataSource dataSource;

    public PlatformMigrations(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void migrate(Flyway serviceFlyway) {
        try (Connection lock = dataSource.getConnection()) {
            try (Statement st = lock.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            }
            try {
                Flyway.configure()
                        .dataSource(dataSource)
                        .schemas("registry")
                        .defaultSchema("registry")
                        .locations("classpath:db/registry")
                        .load()
                        .migrate();
                serviceFlyway.migrate();
            } finally {
                try (Statement st = lock.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not migrate the database: " + e.getMessage(), e);
        }
        log.info(
                "Database ready: registry and {}",
                String.join(", ", serviceFlyway.getConfiguration().getSchemas()));
    }
}

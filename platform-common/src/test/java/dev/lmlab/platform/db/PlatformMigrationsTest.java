package dev.lmlab.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class PlatformMigrationsTest {

    private static Flyway serviceFlyway(DriverManagerDataSource ds, String schema) {
        return Flyway.configure()
                .dataSource(ds)
                .schemas(schema)
                .defaultSchema(schema)
                .locations("classpath:db/jobs", "classpath:db/" + schema)
                .load();
    }

    @Test
    void servicesStartingTogetherOnAnEmptyDatabaseAllMigrate() throws Exception {
        DriverManagerDataSource ds = new DriverManagerDataSource(TestPostgres.createDatabase());
        List<String> services = List.of("inference", "training", "eval", "interp");
        ExecutorService pool = Executors.newFixedThreadPool(services.size());
        List<Future<?>> starts = new ArrayList<>();
        for (String service : services) {
            starts.add(pool.submit(() -> new PlatformMigrations(ds).migrate(serviceFlyway(ds, service))));
        }
        for (Future<?> start : starts) {
            start.get();
        }
        pool.shutdown();

        JdbcClient jdbc = JdbcClient.create(ds);
        List<String> tables = jdbc.sql("""
                        SELECT table_schema || '.' || table_name FROM information_schema.tables
                        WHERE table_schema IN ('registry', 'inference', 'training', 'eval', 'interp')
                          AND table_name NOT LIKE 'flyway%'
                        ORDER BY 1
                        """).query(String.class).list();
        assertThat(tables)
                .contains(
                        "registry.runs",
                        "registry.run_metrics",
                        "registry.run_artifacts",
                        "registry.run_events",
                        "registry.job_checkpoints",
                        "registry.idempotency_keys",
                        "eval.scheduled_tasks",
                        "inference.scheduled_tasks",
                        "interp.scheduled_tasks",
                        "training.scheduled_tasks");

        // a restart finds nothing to do
        String history = "SELECT count(*) FROM registry.flyway_schema_history";
        long applied = jdbc.sql(history).query(Long.class).single();
        new PlatformMigrations(ds).migrate(serviceFlyway(ds, "training"));
        assertThat(jdbc.sql(history).query(Long.class).single()).isEqualTo(applied);
        assertThat(jdbc.sql("SELECT count(*) FROM registry.flyway_schema_history WHERE version = '1' AND success")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }
}

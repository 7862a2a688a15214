package dev.lmlab.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.Await;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The training service is killed with SIGKILL in the middle of a job and started again: the job must resume from
 * its last checkpoint (weights, optimizer moments, data order) and its loss curve must be the very curve an
 * uninterrupted run of the same job draws.
 */
class TrainingCrashResumeTest {

    static final String TOKEN = "crash-test-token";
    static final int STEPS = 240;

    @Test
    void aKilledJobResumesFromItsCheckpointAndDrawsTheSameLossCurveAsAnUninterruptedOne() throws Exception {
        Path home = Files.createTempDirectory("lmlab-training-crash");
        String db = TestPostgres.createDatabase();
        String inference = PeerServices.inference(home, TOKEN, db);
        List<String> args = List.of(
                "--spring.datasource.url=" + db,
                "--lmlab.home=" + home,
                "--lmlab.internal-token=" + TOKEN,
                "--lmlab.services.inference=" + inference,
                "--lmlab.jobs.metric-flush-interval=0s",
                "--db-scheduler.polling-interval=200ms",
                "--db-scheduler.heartbeat-interval=1s",
                "--db-scheduler.missed-heartbeats-limit=4");
        Path data = home.resolve("artifacts/datasets/crash.jsonl");
        Files.createDirectories(data.getParent());
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"text\":\"item " + i + " maps to " + Integer.toString(i * 7919 % 1000, 36) + "\"}");
        }
        Files.write(data, rows);
        String job = "{\"kind\":\"pretrain\",\"params\":{\"architecture\":{\"family\":\"llada\",\"hidden\":64,"
                + "\"layers\":2,\"heads\":4,\"max_positions\":64},\"dataset\":\"datasets/crash.jsonl\","
                + "\"learning_rate\":0.003,\"warmup_steps\":10,\"batch_size\":8,\"grad_accumulation\":2,"
                + "\"max_steps\":" + STEPS + ",\"weight_decay\":0.01,\"checkpoint_every\":20,\"seed\":11}}";

        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db, true)) {
            JdbcClient jdbc = JdbcClient.create(ds);
            UUID interrupted;
            ChildJvm first = ChildJvm.start("training-before-crash", TrainingServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120));
            try {
                interrupted = submit(first, job);
                Await.until(
                        "a checkpoint and a few more steps",
                        Duration.ofSeconds(120),
                        () -> lossCurve(jdbc, interrupted).size(),
                        n -> n >= 50);
                first.kill();
            } finally {
                first.close();
            }
            int recordedAtKill = lossCurve(jdbc, interrupted).size();
            assertThat(recordedAtKill).as("killed mid-job").isLessThan(STEPS);

            try (ChildJvm second = ChildJvm.start("training-after-crash", TrainingServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120))) {
                awaitStatus(jdbc, interrupted, "SUCCEEDED");
                UUID uninterrupted = submit(second, job);
                awaitStatus(jdbc, uninterrupted, "SUCCEEDED");

                List<Double> resumed = lossCurve(jdbc, interrupted);
                List<Double> reference = lossCurve(jdbc, uninterrupted);
                assertThat(resumed).hasSize(STEPS);
                assertThat(resumed).as("the resumed curve continues exactly").isEqualTo(reference);
                long fromStep = jdbc.sql("SELECT (data->>'from_step')::bigint FROM registry.run_events"
                                + " WHERE run_id = :id AND type = 'resumed'")
                        .param("id", interrupted)
                        .query(Long.class)
                        .single();
                assertThat(fromStep).isPositive().isEqualTo(fromStep / 20 * 20).isLessThanOrEqualTo(recordedAtKill);
                assertThat(jdbc.sql("SELECT count(*) FROM registry.run_artifacts WHERE run_id = :id")
                                .param("id", interrupted)
                                .query(Long.class)
                                .single())
                        .isEqualTo(STEPS / 20);
            }
        }
    }

    private static UUID submit(ChildJvm service, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(service.uri("/jobs"))
                                .header("Content-Type", "application/json")
                                .header("X-LMLab-Internal-Token", TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return UUID.fromString(JsonMapper.shared().readTree(r.body()).get("id").asString());
    }

    private static List<Double> lossCurve(JdbcClient jdbc, UUID run) {
        return jdbc.sql("SELECT value FROM registry.run_metrics WHERE run_id = :id AND key = 'loss' ORDER BY step")
                .param("id", run)
                .query(Double.class)
                .list();
    }

    private static void awaitStatus(JdbcClient jdbc, UUID run, String status) {
        String last = Await.until(
                "run " + run + " to finish",
                Duration.ofSeconds(240),
                () -> jdbc.sql("SELECT status FROM registry.runs WHERE id = :id")
                        .param("id", run)
                        .query(String.class)
                        .single(),
                s -> s.equals("SUCCEEDED") || s.equals("FAILED") || s.equals("CANCELLED"));
        assertThat(last).isEqualTo(status);
    }
}

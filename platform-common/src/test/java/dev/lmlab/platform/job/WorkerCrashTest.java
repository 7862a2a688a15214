package dev.lmlab.platform.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.testapp.TestServiceApplication;
import dev.lmlab.platform.web.InternalTokenFilter;
import dev.lmlab.testing.Await;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fault test: two replicas of a service share a job queue; the one running a job is killed with SIGKILL
 * mid-way; the other must take the job over, resume it from its last checkpoint and finish it, with every step
 * recorded exactly once.
 */
class WorkerCrashTest {

    static final int STEPS = 60;

    @Test
    void aJobKilledMidwayIsResumedByAnotherReplicaAndDoneExactlyOnce() throws Exception {
        String db = TestPostgres.createDatabase();
        List<String> args = List.of("--spring.datasource.url=" + db);
        try (ChildJvm a = ChildJvm.start("replica-a", TestServiceApplication.class, args);
                ChildJvm b = ChildJvm.start("replica-b", TestServiceApplication.class, args);
                SingleConnectionDataSource ds = new SingleConnectionDataSource(db, true)) {
            a.awaitHealthy(Duration.ofSeconds(90));
            b.awaitHealthy(Duration.ofSeconds(90));
            JdbcClient jdbc = JdbcClient.create(ds);

            // submit through replica A's HTTP API, as the gateway would
            String body = "{\"kind\": \"selftest\", \"params\": {\"steps\": " + STEPS
                    + ", \"step_millis\": 100, \"checkpoint_every\": 7}}";
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(a.uri("/jobs"))
                                    .header("Content-Type", "application/json")
                                    .header(InternalTokenFilter.HEADER, "test-internal-token")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            UUID runId = UUID.fromString(
                    JsonMapper.shared().readTree(response.body()).get("id").asString());

            // let it get past two checkpoints and into the middle of the third stretch
            Await.until(
                    "18 steps recorded",
                    Duration.ofSeconds(60),
                    () -> stepsOf(jdbc, runId).size(),
                    n -> n >= 18);
            String holder = worker(jdbc, runId);
            ChildJvm victim = holder.endsWith(":" + a.pid()) ? a : b;
            ChildJvm survivor = victim == a ? b : a;
            int recordedAtKill = stepsOf(jdbc, runId).size();
            victim.kill();

            Await.until(
                    "the run to succeed on the surviving replica",
                    Duration.ofSeconds(90),
                    () -> status(jdbc, runId),
                    "SUCCEEDED"::equals);

            assertThat(stepsOf(jdbc, runId))
                    .as("every step recorded once, none lost, none twice")
                    .containsExactlyElementsOf(
                            LongStream.range(0, STEPS).boxed().toList());
            assertThat(worker(jdbc, runId)).endsWith(":" + survivor.pid());
            assertThat(jdbc.sql("SELECT attempt FROM registry.runs WHERE id = :id")
                            .param("id", runId)
                            .query(Integer.class)
                            .single())
                    .isEqualTo(2);
            List<Map<String, Object>> events = jdbc.sql(
                            "SELECT type, data::text AS data FROM registry.run_events WHERE run_id = :id ORDER BY seq")
                    .param("id", runId)
                    .query()
                    .listOfRows();
            JsonNode resumed = events.stream()
                    .filter(e -> e.get("type").equals("resumed"))
                    .map(e -> JsonMapper.shared().readTree((String) e.get("data")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no resumed event in " + events));
            long fromStep = resumed.get("from_step").asLong();
            assertThat(fromStep)
                    .isPositive()
                    .isLessThanOrEqualTo(recordedAtKill)
                    .isEqualTo(fromStep / 7 * 7);
            assertThat(resumed.get("previous_worker").asString()).endsWith(":" + victim.pid());
            assertThat(events.stream()
                            .filter(e ->
                                    e.get("type").equals("status") && ((String) e.get("data")).contains("SUCCEEDED")))
                    .as("finished exactly once")
                    .hasSize(1);
        }
    }

    private static List<Long> stepsOf(JdbcClient jdbc, UUID runId) {
        return jdbc.sql("SELECT step FROM registry.run_metrics WHERE run_id = :id AND key = 'selftest.step'"
                        + " ORDER BY step")
                .param("id", runId)
                .query(Long.class)
                .list();
    }

    private static String worker(JdbcClient jdbc, UUID runId) {
        return jdbc.sql("SELECT worker FROM registry.runs WHERE id = :id")
                .param("id", runId)
                .query(String.class)
                .single();
    }

    private static String status(JdbcClient jdbc, UUID runId) {
        return jdbc.sql("SELECT status FROM registry.runs WHERE id = :id")
                .param("id", runId)
                .query(String.class)
                .single();
    }
}

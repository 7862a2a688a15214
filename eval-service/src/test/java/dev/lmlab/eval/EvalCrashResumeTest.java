package dev.lmlab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.Await;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The eval service is killed with SIGKILL in the middle of a run and started again: the run resumes, ends with
 * every trial stored once, and no trial stored before the kill is asked of the target again.
 */
class EvalCrashResumeTest {

    static final String TOKEN = "eval-crash-token";
    static final int TRIALS = 10;
    static final int ITEMS = 12; // toy-letters

    @Test
    void aKilledRunResumesAndGradesNoStoredTrialTwice() throws Exception {
        Path home = ServiceCalls.home("lmlab-eval-crash");
        String db = TestPostgres.createDatabase();
        try (ScriptedModel target = new ScriptedModel(r -> "abc 12").delay(120);
                SingleConnectionDataSource ds = new SingleConnectionDataSource(db, true)) {
            JdbcClient jdbc = JdbcClient.create(ds);
            List<String> args = List.of(
                    "--spring.datasource.url=" + db,
                    "--lmlab.home=" + home,
                    "--lmlab.internal-token=" + TOKEN,
                    "--lmlab.eval.allowed-endpoints=" + target.baseUrl(),
                    "--lmlab.jobs.metric-flush-interval=0s",
                    "--db-scheduler.polling-interval=200ms",
                    "--db-scheduler.heartbeat-interval=1s",
                    "--db-scheduler.missed-heartbeats-limit=4");
            String body =
                    "{\"benchmark\":\"toy-letters\",\"trials\":" + TRIALS + ",\"concurrency\":2,\"target\":{\"type\":"
                            + "\"openai\",\"model\":\"slow\",\"base_url\":\"" + target.baseUrl() + "\"}}";

            UUID run;
            Map<Long, String> storedBeforeKill;
            ChildJvm first = ChildJvm.start("eval-before-crash", EvalServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120));
            try {
                HttpResponse<String> r =
                        new ServiceCalls(TOKEN).post("http://127.0.0.1:" + first.port(), "/runs", body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                run = UUID.fromString(
                        JsonMapper.shared().readTree(r.body()).get("id").asString());
                Await.until("a third of the trials", Duration.ofSeconds(120), () -> stored(jdbc, run), n -> n >= 40);
                first.kill();
            } finally {
                first.close();
            }
            storedBeforeKill = storedSeeds(jdbc, run);
            assertThat(storedBeforeKill.size()).as("killed mid-run").isLessThan(ITEMS * TRIALS);

            try (ChildJvm second = ChildJvm.start("eval-after-crash", EvalServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120))) {
                String status = Await.until(
                        "the run to finish after the restart",
                        Duration.ofSeconds(240),
                        () -> jdbc.sql("SELECT status FROM registry.runs WHERE id = ?")
                                .param(run)
                                .query(String.class)
                                .single(),
                        s -> s.equals("SUCCEEDED") || s.equals("FAILED"));
                assertThat(status).isEqualTo("SUCCEEDED");
            }
            assertThat(stored(jdbc, run)).isEqualTo(ITEMS * TRIALS);
            Map<Long, Integer> asked = new HashMap<>();
            for (JsonNode request : target.requests()) {
                asked.merge(request.get("seed").asLong(), 1, Integer::sum);
            }
            storedBeforeKill.forEach((seed, trial) -> assertThat(asked.get(seed))
                    .as("trial %s was stored before the kill and must not be asked again", trial)
                    .isEqualTo(1));
            assertThat(asked.keySet()).as("every trial was asked").hasSize(ITEMS * TRIALS);
            assertThat(jdbc.sql("SELECT attempt FROM registry.runs WHERE id = ?")
                            .param(run)
                            .query(Integer.class)
                            .single())
                    .isEqualTo(2);
        }
    }

    private static long stored(JdbcClient jdbc, UUID run) {
        return jdbc.sql("SELECT count(*) FROM eval.trials WHERE run_id = ?")
                .param(run)
                .query(Long.class)
                .single();
    }

    /** The seed each stored trial's one call used (the run's seed is 0): seed = (ordinal·k + trial)·64. */
    private static Map<Long, String> storedSeeds(JdbcClient jdbc, UUID run) {
        Map<Long, String> seeds = new HashMap<>();
        jdbc.sql("SELECT t.item_id, t.trial, i.ordinal FROM eval.trials t JOIN eval.benchmark_items i"
                        + " ON i.item_id = t.item_id AND i.benchmark = 'toy-letters' AND i.version = '1'"
                        + " WHERE t.run_id = ?")
                .param(run)
                .query((rs, n) -> seeds.put(
                        ((long) rs.getInt(3) * TRIALS + rs.getInt(2)) * 64, rs.getString(1) + "#" + rs.getInt(2)))
                .list();
        return seeds;
    }
}

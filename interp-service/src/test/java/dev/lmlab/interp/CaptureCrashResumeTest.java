package dev.lmlab.interp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.Await;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The interp service is killed with SIGKILL in the middle of capturing an activation set and started again: the
 * capture resumes after its last checkpointed shard, keeps the shards written before the kill, and ends with every
 * row captured once and equal to what the inference service answers directly.
 */
class CaptureCrashResumeTest {

    static final String TOKEN = "interp-crash-token";
    static final String MODEL = "crash-llama";

    @Test
    void aKilledCaptureResumesAfterItsLastShard() throws Exception {
        Path home = ServiceCalls.home("lmlab-interp-crash");
        String db = TestPostgres.createDatabase();
        String inference = PeerServices.inference(home, TOKEN, db);
        ServiceCalls calls = new ServiceCalls(TOKEN);
        HttpResponse<String> m =
                calls.post(inference, "/models/tiny", "{\"id\":\"" + MODEL + "\",\"family\":\"llama\",\"seed\":9}");
        assertThat(m.statusCode()).as(m.body()).isIn(200, 201);
        List<String> args = List.of(
                "--spring.datasource.url=" + db,
                "--lmlab.home=" + home,
                "--lmlab.internal-token=" + TOKEN,
                "--lmlab.services.inference=" + inference,
                "--db-scheduler.polling-interval=200ms",
                "--db-scheduler.heartbeat-interval=1s",
                "--db-scheduler.missed-heartbeats-limit=4");
        String body =
                "{\"model\":\"" + MODEL + "\",\"input\":\"shipped:big-five\",\"hooks\":[\"blocks.1.hook_resid_post\"],"
                        + "\"pooling\":\"mean\",\"batch_size\":1}";
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db, true)) {
            JdbcClient jdbc = JdbcClient.create(ds);
            UUID set;
            Map<Path, FileTime> beforeKill;
            ChildJvm first = ChildJvm.start("interp-before-crash", InterpServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120));
            try {
                HttpResponse<String> r = calls.post("http://127.0.0.1:" + first.port(), "/activation-sets", body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                set = UUID.fromString(
                        JsonMapper.shared().readTree(r.body()).get("id").asString());
                Path folder = home.resolve("artifacts/activation-sets/" + set);
                Await.until(
                        "a tenth of the shards",
                        Duration.ofSeconds(120),
                        () -> shards(folder).size(),
                        n -> n >= 12);
                first.kill();
                beforeKill = shards(folder);
            } finally {
                first.close();
            }
            assertThat(beforeKill.size()).as("killed mid-capture").isLessThan(120);

            try (ChildJvm second = ChildJvm.start("interp-after-crash", InterpServiceApplication.class, args)
                    .awaitHealthy(Duration.ofSeconds(120))) {
                String status = Await.until(
                        "the capture to finish after the restart",
                        Duration.ofSeconds(240),
                        () -> jdbc.sql("SELECT status FROM registry.runs WHERE id = ?")
                                .param(set)
                                .query(String.class)
                                .single(),
                        s -> s.equals("SUCCEEDED") || s.equals("FAILED"));
                assertThat(status).isEqualTo("SUCCEEDED");
                JsonNode described =
                        ServiceCalls.ok(calls.get("http://127.0.0.1:" + second.port(), "/activation-sets/" + set));
                assertThat(described.get("status").asString()).isEqualTo("ready");
                assertThat(described.get("rows").asInt()).isEqualTo(120);
            }
            Map<Path, FileTime> after = shards(home.resolve("artifacts/activation-sets/" + set));
            assertThat(after).hasSize(120);
            long kept = beforeKill.entrySet().stream()
                    .filter(e -> e.getValue().equals(after.get(e.getKey())))
                    .count();
            // at most the one shard published after the last checkpoint is captured again
            assertThat(kept).isGreaterThanOrEqualTo(beforeKill.size() - 1);
            assertThat(jdbc.sql("SELECT attempt FROM registry.runs WHERE id = ?")
                            .param(set)
                            .query(Integer.class)
                            .single())
                    .isEqualTo(2);
        }
    }

    private static Map<Path, FileTime> shards(Path folder) {
        Map<Path, FileTime> out = new HashMap<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .toList()) {
                out.put(p.getFileName(), Files.getLastModifiedTime(p));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}

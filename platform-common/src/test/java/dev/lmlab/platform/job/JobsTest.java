package dev.lmlab.platform.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lmlab.platform.run.MetricPoint;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunEvent;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.platform.testapp.TestServiceApplication;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import dev.lmlab.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(classes = TestServiceApplication.class)
class JobsTest {

    static final Caller ALICE = new Caller("key-alice", "alice", Set.of("write"));
    static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    JobService jobs;

    @Autowired
    JobRunner runner;

    @Autowired
    RunRegistry registry;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JsonMapper json;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private Run submit(String params, String idempotencyKey) {
        return jobs.submit(
                        new JobRequest("selftest", null, json.readTree(params), Map.of("suite", "jobs"), null),
                        ALICE,
                        idempotencyKey)
                .run();
    }

    private Run awaitStatus(UUID id, RunStatus status) {
        return Await.until("run " + id + " to be " + status, WAIT, () -> registry.get(id), r -> r.status() == status);
    }

    private List<Long> steps(UUID runId) {
        return registry.metricHistory(runId, "selftest.step", 0, 1_000_000).stream()
                .map(MetricPoint::step)
                .toList();
    }

    @Test
    void selftestRunsToSuccessWithEveryStepRecordedOnce() {
        Run run = submit("{\"steps\": 12, \"step_millis\": 10, \"checkpoint_every\": 4}", null);
        assertThat(run.params().get("steps").asInt()).isEqualTo(12);
        assertThat(run.name()).isEqualTo("selftest-12");
        assertThat(run.service()).isEqualTo("testsvc");

        Run done = awaitStatus(run.id(), RunStatus.SUCCEEDED);

        assertThat(done.progress()).isEqualTo(1.0);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(steps(run.id()))
                .containsExactlyElementsOf(LongStream.range(0, 12).boxed().toList());
        List<RunEvent> events = registry.events(run.id(), 0, 1000);
        assertThat(events)
                .filteredOn(e -> e.type().equals("status"))
                .extracting(e -> e.data().get("status").asString())
                .containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
        assertThat(events)
                .filteredOn(e -> e.type().equals("checkpoint"))
                .extracting(e -> e.data().get("next_step").asLong())
                .containsExactly(4L, 8L, 12L);
        assertThat(events).filteredOn(e -> e.type().equals("progress")).isNotEmpty();
        assertThat(meters.find("lmlab.jobs.attempts")
                        .tags("kind", "selftest", "outcome", "succeeded")
                        .timer())
                .isNotNull()
                .satisfies(t -> assertThat(t.count()).isPositive());
    }

    @Test
    void sameIdempotencyKeyGivesTheSameRunAndADifferentBodyIsAConflict() {
        JobService.Submission first = jobs.submit(
                new JobRequest("selftest", "idem", json.readTree("{\"steps\": 2, \"step_millis\": 1}"), null, null),
                ALICE,
                "key-123");
        JobService.Submission again = jobs.submit(
                new JobRequest("selftest", "idem", json.readTree("{\"step_millis\": 1, \"steps\": 2}"), null, null),
                ALICE,
                "key-123");

        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.run().id()).isEqualTo(first.run().id());
        assertThatThrownBy(() -> jobs.submit(
                        new JobRequest("selftest", "idem", json.readTree("{\"steps\": 3}"), null, null),
                        ALICE,
                        "key-123"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("idempotency-key-reused"));
        Caller bob = new Caller("key-bob", "bob", Set.of("write"));
        JobService.Submission bobs = jobs.submit(
                new JobRequest("selftest", "idem", json.readTree("{\"steps\": 2, \"step_millis\": 1}"), null, null),
                bob,
                "key-123");
        assertThat(bobs.run().id()).isNotEqualTo(first.run().id());
        Run done = awaitStatus(first.run().id(), RunStatus.SUCCEEDED);
        // db-scheduler removes the execution just after the handler returns, so wait for that rather than race it;
        // a second job for the same run would have left a row behind or run a second attempt
        Await.until(
                "the job's execution removed",
                WAIT,
                () -> jdbc.sql("SELECT count(*) FROM testsvc.scheduled_tasks WHERE task_instance = :id")
                        .param("id", first.run().id().toString())
                        .query(Long.class)
                        .single(),
                n -> n == 0);
        assertThat(done.attempt())
                .as("the replayed submission scheduled no second job")
                .isEqualTo(1);
        assertThat(steps(first.run().id())).containsExactly(0L, 1L);
    }

    @Test
    void cancelStopsARunningJobBetweenSteps() {
        Run run = submit("{\"steps\": 500, \"step_millis\": 20}", null);
        Await.until("some steps", WAIT, () -> steps(run.id()).size(), n -> n >= 3);

        registry.requestCancel(run.id());
        Run cancelled = awaitStatus(run.id(), RunStatus.CANCELLED);

        assertThat(cancelled.error()).isEqualTo("cancelled by request");
        assertThat(steps(run.id()).size()).isLessThan(500);
    }

    @Test
    void aThrowingJobFailsItsRunWithTheMessage() {
        Run run = submit("{\"steps\": 10, \"step_millis\": 1, \"fail_at_step\": 3}", null);

        Run failed = awaitStatus(run.id(), RunStatus.FAILED);

        assertThat(failed.error()).isEqualTo("selftest was asked to fail at step 3");
        assertThat(steps(run.id())).containsExactly(0L, 1L, 2L);
    }

    @Test
    void badSubmissionsAre400sAndCreateNothing() {
        long before = registry.list(dev.lmlab.platform.run.RunFilter.ALL, 0, 1).total();

        assertThatThrownBy(() -> jobs.submit(new JobRequest("sfft", null, null, null, null), ALICE, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.slug()).isEqualTo("unknown-job-kind");
                    assertThat(e.properties().get("valid_kinds")).isEqualTo(List.of("selftest"));
                });
        assertThatThrownBy(() -> submit("{\"stepz\": 3}", null)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.getMessage()).contains("'stepz'").doesNotContain("dev.lmlab");
            assertThat(e.properties().get("valid_fields"))
                    .isEqualTo(List.of("checkpoint_every", "fail_at_step", "step_millis", "steps"));
        });
        assertThatThrownBy(() -> submit("{\"steps\": -1}", null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.properties()).containsKey("fields"));
        assertThatThrownBy(() -> submit("{\"steps\": \"many\"}", null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.properties()).containsEntry("field", "steps");
                    assertThat(e.getMessage()).doesNotContain("java.lang");
                });
        assertThatThrownBy(() -> submit("[1, 2]", null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> submit("{\"steps\": 2}", "bad key with spaces"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("invalid-idempotency-key"));

        assertThat(registry.list(dev.lmlab.platform.run.RunFilter.ALL, 0, 1).total())
                .isEqualTo(before);
    }

    @Test
    void aWorkerThatLostItsLeaseWritesNothingMore() {
        Run run = submit("{\"steps\": 400, \"step_millis\": 20}", null);
        Await.until("some steps", WAIT, () -> steps(run.id()).size(), n -> n >= 3);

        // another worker takes the job over, as a replica does when it declares this one dead
        jdbc.sql("UPDATE registry.runs SET attempt = attempt + 1, worker = 'other' WHERE id = :id")
                .param("id", run.id())
                .update();
        Await.sleep(300);
        int afterTakeover = steps(run.id()).size();
        Await.sleep(500);

        assertThat(steps(run.id())).hasSize(afterTakeover);
        Run now = registry.get(run.id());
        assertThat(now.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(now.worker()).isEqualTo("other");
    }

    @Test
    void aRevivedJobResumesFromItsCheckpointAndRedoesOnlyTheUnsavedSteps() {
        // the state a worker leaves behind when it dies at step 7 with its last checkpoint at step 5
        Run run = registry.create(new NewRun(
                "testsvc",
                "selftest",
                "revived",
                json.readTree("{\"steps\": 10, \"step_millis\": 1, \"checkpoint_every\": 5}"),
                null,
                null,
                "test"));
        jdbc.sql("UPDATE registry.runs SET status = 'RUNNING', attempt = 1, worker = 'dead-worker' WHERE id = :id")
                .param("id", run.id())
                .update();
        for (long step = 0; step < 7; step++) {
            registry.logMetrics(run.id(), List.of(MetricPoint.of("selftest.step", step, step)));
        }
        jdbc.sql("INSERT INTO registry.job_checkpoints (run_id, next_step, state, attempt)"
                        + " VALUES (:id, 5, '{\"sum\": 1.5}', 1)")
                .param("id", run.id())
                .update();

        runner.execute(run.id(), () -> false);

        Run done = registry.get(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(steps(run.id()))
                .containsExactlyElementsOf(LongStream.range(0, 10).boxed().toList());
        RunEvent resumed = registry.events(run.id(), 0, 100).stream()
                .filter(e -> e.type().equals("resumed"))
                .findFirst()
                .orElseThrow();
        assertThat(resumed.data().get("from_step").asLong()).isEqualTo(5);
        assertThat(resumed.data().get("discarded_metric_points").asInt()).isEqualTo(2);
        assertThat(resumed.data().get("previous_worker").asString()).isEqualTo("dead-worker");
        double sum =
                registry.metricHistory(run.id(), "selftest.sum", 0, 10).get(0).value();
        double expectedTail = LongStream.range(5, 10)
                .mapToDouble(s -> 2.0 * Math.exp(-3.0 * s / 10) + 0.1)
                .sum();
        assertThat(sum)
                .as("state from the checkpoint carried over")
                .isCloseTo(1.5 + expectedTail, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aJobWhoseWorkersKeepDyingIsFailedWithAReason() {
        Run run = registry.create(
                new NewRun("testsvc", "selftest", "crashy", json.readTree("{\"steps\": 3}"), null, null, "test"));
        jdbc.sql("UPDATE registry.runs SET status = 'RUNNING', attempt = 3, worker = 'w3' WHERE id = :id")
                .param("id", run.id())
                .update();

        runner.execute(run.id(), () -> false);

        Run failed = registry.get(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).contains("Gave up after 3 workers").contains("w3");
    }

    @Test
    void aJobStoppedForShutdownLeavesTheRunRunningForTheNextWorker() {
        Run run = registry.create(new NewRun(
                "testsvc",
                "selftest",
                "handover",
                json.readTree("{\"steps\": 50, \"step_millis\": 5, \"checkpoint_every\": 5}"),
                null,
                null,
                "test"));
        long[] calls = {0};

        assertThatThrownBy(() -> runner.execute(run.id(), () -> ++calls[0] > 40))
                .isInstanceOf(WorkerShutdownException.class);

        Run released = registry.get(run.id());
        assertThat(released.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(registry.events(run.id(), 0, 1000))
                .extracting(RunEvent::type)
                .contains("released");
    }
}

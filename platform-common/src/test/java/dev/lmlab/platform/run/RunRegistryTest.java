package dev.lmlab.platform.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lmlab.platform.testapp.TestServiceApplication;
import dev.lmlab.platform.web.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(classes = TestServiceApplication.class)
class RunRegistryTest {

    @Autowired
    RunRegistry registry;

    @Autowired
    JsonMapper json;

    private Run newRun(String service, String kind, Map<String, String> tags, UUID parent) {
        return registry.create(
                new NewRun(service, kind, kind + "-run", json.readTree("{\"lr\": 0.001}"), tags, parent, "tester"));
    }

    @Test
    void createdRunIsQueuedWithParamsTagsAndAStatusEvent() {
        Run run = newRun("training", "sft", Map.of("paper", "tabom"), null);

        assertThat(run.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(run.params().get("lr").asDouble()).isEqualTo(0.001);
        assertThat(run.tags()).containsEntry("paper", "tabom");
        assertThat(run.progress()).isZero();
        assertThat(run.createdBy()).isEqualTo("tester");
        assertThat(registry.events(run.id(), 0, 10))
                .extracting(RunEvent::type, e -> e.data().get("status").asString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("status", "QUEUED"));
    }

    @Test
    void statusMachineAllowsOnlyTheDocumentedMoves() {
        Run run = newRun("eval", "bench", Map.of(), null);

        assertConflict(() -> registry.transition(run.id(), RunStatus.SUCCEEDED, null), "QUEUED");
        registry.transition(run.id(), RunStatus.RUNNING, null);
        assertConflict(() -> registry.transition(run.id(), RunStatus.RUNNING, null), "RUNNING");
        assertConflict(() -> registry.transition(run.id(), RunStatus.QUEUED, null), "RUNNING");
        Run done = registry.transition(run.id(), RunStatus.SUCCEEDED, null);

        assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(1.0);
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.finishedAt()).isNotNull();
        for (RunStatus next : RunStatus.values()) {
            assertConflict(() -> registry.transition(run.id(), next, null), "SUCCEEDED");
        }
        assertThat(registry.events(run.id(), 0, 10))
                .extracting(e -> e.data().get("status").asString())
                .containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
    }

    @Test
    void failedRunKeepsItsErrorMessage() {
        Run run = newRun("eval", "bench", Map.of(), null);
        registry.transition(run.id(), RunStatus.RUNNING, null);

        Run failed = registry.transition(run.id(), RunStatus.FAILED, "judge endpoint unreachable");

        assertThat(failed.error()).isEqualTo("judge endpoint unreachable");
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void cancelIsImmediateWhenQueuedAFlagWhenRunningAndRefusedWhenFinished() {
        Run queued = newRun("training", "sft", Map.of(), null);
        assertThat(registry.requestCancel(queued.id()).status()).isEqualTo(RunStatus.CANCELLED);
        assertConflict(() -> registry.requestCancel(queued.id()), "CANCELLED");

        Run running = newRun("training", "sft", Map.of(), null);
        registry.transition(running.id(), RunStatus.RUNNING, null);
        Run flagged = registry.requestCancel(running.id());
        assertThat(flagged.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(flagged.cancelRequested()).isTrue();
        assertThat(registry.events(running.id(), 0, 10))
                .extracting(RunEvent::type)
                .contains("cancel_requested");
    }

    @Test
    void unknownRunIsA404() {
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> registry.get(missing)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(e.slug()).isEqualTo("run-not-found");
        });
        assertThatThrownBy(() -> registry.transition(missing, RunStatus.RUNNING, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.NOT_FOUND));
        assertThatThrownBy(() -> registry.logMetrics(missing, List.of(MetricPoint.of("loss", 0, 1))))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.NOT_FOUND));
    }

    @Test
    void missingParentIsRefusedAndNothingIsStored() {
        UUID ghost = UUID.randomUUID();
        long before = registry.list(RunFilter.ALL, 0, 1).total();

        assertThatThrownBy(() -> newRun("eval", "bench", Map.of(), ghost))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("parent-run-not-found"));
        assertThat(registry.list(RunFilter.ALL, 0, 1).total()).isEqualTo(before);
    }

    @Test
    void listFiltersByEveryFieldAndPagesNewestFirst() {
        String service = "svc" + UUID.randomUUID().toString().substring(0, 8);
        Run parent = newRun(service, "train", Map.of("paper", "tabom", "size", "tiny"), null);
        Run childA = newRun(service, "eval", Map.of("paper", "tabom"), parent.id());
        Run childB = newRun(service, "eval", Map.of("paper", "scope"), parent.id());
        registry.transition(childB.id(), RunStatus.RUNNING, null);

        assertThat(ids(new RunFilter(service, null, null, null, null, null, null)))
                .containsExactly(childB.id(), childA.id(), parent.id());
        assertThat(ids(new RunFilter(service, "eval", null, null, null, null, null)))
                .containsExactly(childB.id(), childA.id());
        assertThat(ids(new RunFilter(service, null, List.of(RunStatus.RUNNING), null, null, null, null)))
                .containsExactly(childB.id());
        assertThat(ids(new RunFilter(service, null, null, Map.of("paper", "tabom"), null, null, null)))
                .containsExactly(childA.id(), parent.id());
        Map<String, String> hasSize = new java.util.HashMap<>();
        hasSize.put("size", null);
        assertThat(ids(new RunFilter(service, null, null, hasSize, null, null, null)))
                .containsExactly(parent.id());
        assertThat(ids(new RunFilter(service, null, null, null, parent.id(), null, null)))
                .containsExactly(childB.id(), childA.id());
        assertThat(ids(new RunFilter(
                        service, null, null, null, null, Instant.now().plusSeconds(60), null)))
                .isEmpty();
        assertThat(ids(new RunFilter(
                        service, null, null, null, null, null, Instant.now().plusSeconds(60))))
                .hasSize(3);

        RunFilter all = new RunFilter(service, null, null, null, null, null, null);
        RunPage first = registry.list(all, 0, 2);
        RunPage second = registry.list(all, 1, 2);
        assertThat(first.total()).isEqualTo(3);
        assertThat(first.items()).extracting(Run::id).containsExactly(childB.id(), childA.id());
        assertThat(second.items()).extracting(Run::id).containsExactly(parent.id());
    }

    @Test
    void badPagingIsA400() {
        assertThatThrownBy(() -> registry.list(RunFilter.ALL, -1, 10))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("invalid-page"));
        assertThatThrownBy(() -> registry.list(RunFilter.ALL, 0, 0))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("invalid-page-size"));
        assertThatThrownBy(() -> registry.list(RunFilter.ALL, 0, RunRegistry.MAX_PAGE_SIZE + 1))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void metricsAreLoggedInLargeBatchesAndReadBackAsOrderedHistory() {
        Run run = newRun("training", "sft", Map.of(), null);
        List<MetricPoint> batch = new ArrayList<>();
        IntStream.range(0, 5000).forEach(step -> {
            batch.add(MetricPoint.of("loss", step, 1.0 / (step + 1)));
            batch.add(MetricPoint.of("lr", step, 1e-4));
        });

        registry.logMetrics(run.id(), batch);

        List<MetricPoint> loss = registry.metricHistory(run.id(), "loss", 0, 100_000);
        assertThat(loss).hasSize(5000);
        assertThat(loss).extracting(MetricPoint::step).isSorted();
        assertThat(loss.get(9).value()).isEqualTo(0.1);
        assertThat(registry.metricHistory(run.id(), "loss", 4990, 5))
                .extracting(MetricPoint::step)
                .containsExactly(4990L, 4991L, 4992L, 4993L, 4994L);
        assertThat(registry.metricSummaries(run.id()))
                .extracting(
                        RunRegistry.MetricSummary::key,
                        RunRegistry.MetricSummary::points,
                        RunRegistry.MetricSummary::lastStep)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("loss", 5000L, 4999L),
                        org.assertj.core.groups.Tuple.tuple("lr", 5000L, 4999L));
    }

    @Test
    void aBatchWithOneBadKeyWritesNothing() {
        Run run = newRun("training", "sft", Map.of(), null);
        List<MetricPoint> batch = List.of(MetricPoint.of("loss", 0, 1), MetricPoint.of("bad\nkey", 1, 1));

        assertThatThrownBy(() -> registry.logMetrics(run.id(), batch))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("invalid-metric-key"));
        assertThat(registry.metricSummaries(run.id())).isEmpty();
    }

    @Test
    void nonFiniteValuesAreKeptAsTheyAre() {
        Run run = newRun("training", "sft", Map.of(), null);
        registry.logMetrics(
                run.id(),
                List.of(MetricPoint.of("loss", 0, Double.NaN), MetricPoint.of("loss", 1, Double.POSITIVE_INFINITY)));

        assertThat(registry.metricHistory(run.id(), "loss", 0, 10))
                .extracting(MetricPoint::value)
                .containsExactly(Double.NaN, Double.POSITIVE_INFINITY);
    }

    @Test
    void artifactsAreListedAndReplacedByName() {
        Run run = newRun("training", "sft", Map.of(), null);
        String sha = "a".repeat(64);
        registry.addArtifact(run.id(), new Artifact("checkpoint-100", "file:///x/100", sha, 10L, null, null));
        registry.addArtifact(run.id(), new Artifact("checkpoint-100", "file:///x/100b", sha, 11L, null, null));
        registry.addArtifact(run.id(), new Artifact("final", "file:///x/final", null, null, "application/json", null));

        assertThat(registry.artifacts(run.id()))
                .extracting(Artifact::name, Artifact::uri)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("checkpoint-100", "file:///x/100b"),
                        org.assertj.core.groups.Tuple.tuple("final", "file:///x/final"));
        assertThatThrownBy(() -> registry.addArtifact(run.id(), new Artifact("bad", "u", "XYZ", 1L, null, null)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.slug()).isEqualTo("invalid-artifact"));
    }

    @Test
    void eventsAreReadAfterASequenceNumber() {
        Run run = newRun("training", "sft", Map.of(), null);
        long first = registry.appendEvent(run.id(), "message", Map.of("text", "one"));
        registry.appendEvent(run.id(), "message", Map.of("text", "two"));

        assertThat(registry.events(run.id(), first, 10))
                .extracting(e -> e.data().get("text").asString())
                .containsExactly("two");
    }

    private List<UUID> ids(RunFilter filter) {
        return registry.list(filter, 0, 50).items().stream().map(Run::id).toList();
    }

    private static void assertConflict(Runnable action, String currentStatus) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(e.properties()).containsEntry("current_status", currentStatus);
        });
    }
}

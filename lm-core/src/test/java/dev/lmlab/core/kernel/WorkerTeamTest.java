package dev.lmlab.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerTeamTest {

    @Test
    void everyIndexRunsExactlyOnceAcrossManySections() {
        try (WorkerTeam team = new WorkerTeam(3, "test")) {
            for (int n : new int[] {2, 3, 7, 64, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                for (int round = 0; round < 200; round++) {
                    team.run(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                        return 0;
                    });
                }
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("n %d index %d", n, i).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void parkedWorkersWakeForTheNextSection() throws Exception {
        try (WorkerTeam team = new WorkerTeam(2, "test")) {
            AtomicIntegerArray hits = new AtomicIntegerArray(2);
            // idle far past the spin window, so the worker is parked when the next section starts
            Thread.sleep(WorkerTeam.SPIN_NANOS / 1_000_000 * 5 + 20);
            team.run(2, (from, to) -> {
                hits.incrementAndGet(from);
                return 0;
            });
            assertThat(hits.get(0)).isEqualTo(1);
            assertThat(hits.get(1)).isEqualTo(1);
        }
    }

    @Test
    void aFailingShareFailsTheSectionAndTheTeamKeepsWorking() {
        try (WorkerTeam team = new WorkerTeam(2, "test")) {
            assertThatThrownBy(() -> team.run(10, (from, to) -> {
                        if (from > 0) {
                            throw new IllegalStateException("worker share failed");
                        }
                        return 0;
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("worker share failed");

            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            team.run(10, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
                return 0;
            });
            for (int i = 0; i < 10; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void aClosedTeamRefusesWork() {
        WorkerTeam team = new WorkerTeam(2, "test");
        team.close();
        assertThat(team.closed()).isTrue();
        assertThatThrownBy(() -> team.run(4, (from, to) -> 0)).isInstanceOf(IllegalStateException.class);
    }
}

package dev.lmlab.platform.job;

import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The SQL behind leases: take a job, prove the lease inside a write, renew it, and end the run with it. */
class LeaseStore {

    private final JdbcClient jdbc;
    private final RunRegistry registry;
    private final TransactionTemplate tx;

    LeaseStore(JdbcClient jdbc, RunRegistry registry, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.tx = tx;
    }

    /** What a worker learns when it takes a job. */
    record Taken(
            Lease lease,
            RunStatus previousStatus,
            String previousWorker,
            String kind,
            String params,
            boolean cancelRequested) {}

    /**
     * Takes the job of a queued or running run by bumping its attempt; empty when the run has finished (for
     * example, cancelled while queued) and there is nothing to do.
     */
    Optional<Taken> take(UUID runId, String worker) {
        return tx.execute(s -> {
            Optional<Taken> taken = jdbc.sql("""
                            WITH prev AS (
                                SELECT id, status, worker FROM registry.runs WHERE id = :id FOR UPDATE
                            )
                            UPDATE registry.runs r
                            SET attempt = r.attempt + 1, worker = :worker, status = 'RUNNING',
                                started_at = coalesce(r.started_at, now()), heartbeat_at = now(), updated_at = now()
                            FROM prev
                            WHERE r.id = prev.id AND prev.status IN ('QUEUED', 'RUNNING')
                            RETURNING r.attempt, prev.status AS previous_status, prev.worker AS previous_worker,
                                      r.kind, r.params::text AS params, r.cancel_requested
                            """)
                    .param("id", runId)
                    .param("worker", worker)
                    .query((rs, i) -> new Taken(
                            new Lease(runId, rs.getInt("attempt"), worker),
                            RunStatus.valueOf(rs.getString("previous_status")),
                            rs.getString("previous_worker"),
                            rs.getString("kind"),
                            rs.getString("params"),
                            rs.getBoolean("cancel_requested")))
                    .optional();
            taken.ifPresent(t -> {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("status", RunStatus.RUNNING.name());
                data.put("attempt", t.lease().attempt());
                data.put("worker", worker);
                if (t.previousStatus() == RunStatus.QUEUED) {
                    registry.appendEvent(runId, "status", data);
                }
            });
            return taken;
        });
    }

    /**
     * Proves, inside the caller's transaction, that the lease still holds, and keeps it from moving until that
     * transaction ends: a worker taking over waits for our write to commit, then sees it.
     */
    void verify(Lease lease) {
        Optional<Integer> attempt = jdbc.sql(
                        "SELECT attempt FROM registry.runs WHERE id = :id AND status = 'RUNNING' FOR SHARE")
                .param("id", lease.runId())
                .query(Integer.class)
                .optional();
        if (attempt.isEmpty() || attempt.get() != lease.attempt()) {
            throw new LeaseLostException(lease.runId(), lease.attempt());
        }
    }

    /** Renews the heartbeat and reads the cancel flag in one round trip. */
    boolean heartbeat(Lease lease) {
        return jdbc.sql("""
                        UPDATE registry.runs SET heartbeat_at = now()
                        WHERE id = :id AND attempt = :attempt AND status = 'RUNNING'
                        RETURNING cancel_requested
                        """)
                .param("id", lease.runId())
                .param("attempt", lease.attempt())
                .query(Boolean.class)
                .optional()
                .orElseThrow(() -> new LeaseLostException(lease.runId(), lease.attempt()));
    }

    void progress(Lease lease, double progress) {
        int updated = jdbc.sql("""
                        UPDATE registry.runs SET progress = :p, updated_at = now(), heartbeat_at = now()
                        WHERE id = :id AND attempt = :attempt AND status = 'RUNNING'
                        """)
                .param("p", progress)
                .param("id", lease.runId())
                .param("attempt", lease.attempt())
                .update();
        if (updated == 0) {
            throw new LeaseLostException(lease.runId(), lease.attempt());
        }
    }

    /** Ends the run in a terminal state, only if this lease still holds it. */
    void finish(Lease lease, RunStatus status, String error) {
        int updated = jdbc.sql("""
                        UPDATE registry.runs
                        SET status = :status, error = :error, finished_at = now(), updated_at = now(),
                            progress = CASE WHEN :status = 'SUCCEEDED' THEN 1 ELSE progress END
                        WHERE id = :id AND attempt = :attempt AND status = 'RUNNING'
                        """)
                .param("status", status.name())
                .param("error", error)
                .param("id", lease.runId())
                .param("attempt", lease.attempt())
                .update();
        if (updated == 0) {
            throw new LeaseLostException(lease.runId(), lease.attempt());
        }
        registry.appendStatusEvent(lease.runId(), status, error);
    }

    /** Fails a run that cannot be started at all, whoever holds it. */
    void failUnstartable(UUID runId, String error) {
        tx.executeWithoutResult(s -> {
            int updated = jdbc.sql("""
                            UPDATE registry.runs SET status = 'FAILED', error = :error, finished_at = now(),
                                   updated_at = now()
                            WHERE id = :id AND status IN ('QUEUED', 'RUNNING')
                            """).param("error", error).param("id", runId).update();
            if (updated > 0) {
                registry.appendStatusEvent(runId, RunStatus.FAILED, error);
            }
        });
    }

    record Checkpoint(long nextStep, String state) {}

    Optional<Checkpoint> checkpoint(UUID runId) {
        return jdbc.sql("SELECT next_step, state::text AS state FROM registry.job_checkpoints WHERE run_id = :id")
                .param("id", runId)
                .query((rs, i) -> new Checkpoint(rs.getLong("next_step"), rs.getString("state")))
                .optional();
    }

    void saveCheckpoint(Lease lease, long nextStep, String stateJson) {
        jdbc.sql("""
                INSERT INTO registry.job_checkpoints (run_id, next_step, state, attempt, updated_at)
                VALUES (:id, :next, :state::jsonb, :attempt, now())
                ON CONFLICT (run_id) DO UPDATE SET next_step = excluded.next_step, state = excluded.state,
                    attempt = excluded.attempt, updated_at = now()
                """)
                .param("id", lease.runId())
                .param("next", nextStep)
                .param("state", stateJson)
                .param("attempt", lease.attempt())
                .update();
    }
}

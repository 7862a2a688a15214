package dev.lmlab.platform.job;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.MetricPoint;
import dev.lmlab.platform.run.RunRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a running job sees of the platform. Every write goes through the job's lease, so the record of its work
 * stays exactly-once even when a worker dies and another resumes: metric points logged after the last
 * checkpoint are discarded on resume (the resumed job logs them again), and a worker that lost its lease
 * cannot write at all.
 *
 * <p>Not thread-safe: one job, one thread.
 */
public final class JobContext {

    /** Metric points are written in batches of at least this many, or when the flush interval has passed. */
    public static final int METRIC_BATCH = 1000;

    private final Lease lease;
    private final boolean resumed;
    private final LeaseStore leases;
    private final RunRegistry registry;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final PlatformProperties.Jobs config;
    private final BooleanSupplier shuttingDown;
    private final Optional<LeaseStore.Checkpoint> checkpoint;

    private final List<MetricPoint> pending = new ArrayList<>();
    private long lastFlushNanos = System.nanoTime();
    private long lastProgressNanos;
    private long lastLeaseCheckNanos;
    private final long startNanos = System.nanoTime();
    private final double startProgress;
    private long checkpointStep;

    JobContext(
            Lease lease,
            boolean resumed,
            LeaseStore leases,
            RunRegistry registry,
            TransactionTemplate tx,
            JsonMapper json,
            PlatformProperties.Jobs config,
            BooleanSupplier shuttingDown,
            Optional<LeaseStore.Checkpoint> checkpoint,
            double startProgress) {
        this.lease = lease;
        this.resumed = resumed;
        this.leases = leases;
        this.registry = registry;
        this.tx = tx;
        this.json = json;
        this.config = config;
        this.shuttingDown = shuttingDown;
        this.checkpoint = checkpoint;
        this.startProgress = startProgress;
        this.checkpointStep = resumeStep();
    }

    public UUID runId() {
        return lease.runId();
    }

    /** 1 for the first worker to take the job, 2 after one revival, and so on. */
    public int attempt() {
        return lease.attempt();
    }

    /** Whether an earlier worker ran this job before; {@link #resumeStep()} says where it got to. */
    public boolean resumed() {
        return resumed;
    }

    /** The step to continue from: the {@code nextStep} of the last checkpoint, 0 without one. */
    public long resumeStep() {
        return checkpoint.map(LeaseStore.Checkpoint::nextStep).orElse(0L);
    }

    /** The state saved with the last checkpoint, read as {@code type}. */
    public <T> Optional<T> checkpointState(Class<T> type) {
        return checkpoint.map(c -> json.readValue(c.state(), type));
    }

    /** Records a metric point; written with the next batch (see {@link #METRIC_BATCH}). */
    public void metric(String key, long step, double value) {
        pending.add(MetricPoint.of(key, step, value));
        boolean due = System.nanoTime() - lastFlushNanos
                >= config.metricFlushInterval().toNanos();
        if (pending.size() >= METRIC_BATCH || due) {
            flushMetrics();
        }
    }

    /** Writes buffered metric points now. */
    public void flushMetrics() {
        if (pending.isEmpty()) {
            lastFlushNanos = System.nanoTime();
            return;
        }
        List<MetricPoint> batch = List.copyOf(pending);
        tx.executeWithoutResult(s -> {
            leases.verify(lease);
            registry.logMetrics(lease.runId(), batch);
        });
        pending.clear();
        lastFlushNanos = System.nanoTime();
    }

    /**
     * Reports progress as a fraction of the whole job and checks for cancel; written at most every {@code
     * lmlab.jobs.progress-interval}, with an ETA extrapolated from this worker's pace.
     */
    public void progress(double fraction) {
        RunRegistry.checkProgress(fraction);
        checkCancelled();
        long now = System.nanoTime();
        if (fraction < 1 && now - lastProgressNanos < config.progressInterval().toNanos()) {
            return;
        }
        lastProgressNanos = now;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("progress", fraction);
        double elapsed = (now - startNanos) / 1e9;
        data.put("elapsed_seconds", round(elapsed));
        double done = fraction - startProgress;
        if (done > 0 && fraction < 1) {
            data.put("eta_seconds", round(elapsed * (1 - fraction) / done));
        }
        tx.executeWithoutResult(s -> {
            leases.progress(lease, fraction);
            registry.appendEvent(lease.runId(), "progress", data);
        });
    }

    public void progress(long done, long total) {
        progress(total <= 0 ? 1.0 : Math.min(1.0, Math.max(0.0, (double) done / total)));
    }

    /**
     * Saves where a revived job should continue: buffered metrics, the step to resume at and a JSON-serialisable
     * state, all in one transaction under the lease.
     */
    public void checkpoint(long nextStep, Object state) {
        String stateJson = json.writeValueAsString(state == null ? Map.of() : state);
        List<MetricPoint> batch = List.copyOf(pending);
        tx.executeWithoutResult(s -> {
            leases.verify(lease);
            registry.logMetrics(lease.runId(), batch);
            leases.saveCheckpoint(lease, nextStep, stateJson);
            registry.appendEvent(lease.runId(), "checkpoint", Map.of("next_step", nextStep));
        });
        pending.clear();
        lastFlushNanos = System.nanoTime();
        checkpointStep = nextStep;
    }

    /** The step the latest checkpoint of this attempt (or the one it resumed from) says to continue at. */
    public long checkpointStep() {
        return checkpointStep;
    }

    /** A line for people watching the run (shown in the event stream). */
    public void message(String text) {
        tx.executeWithoutResult(s -> {
            leases.verify(lease);
            registry.appendEvent(lease.runId(), "message", Map.of("text", text));
        });
    }

    public void artifact(Artifact artifact) {
        tx.executeWithoutResult(s -> {
            leases.verify(lease);
            registry.addArtifact(lease.runId(), artifact);
            registry.appendEvent(lease.runId(), "artifact", Map.of("name", artifact.name(), "uri", artifact.uri()));
        });
    }

    /**
     * The step boundary: renews the heartbeat (throttled), and throws {@link JobCancelledException} if a cancel
     * was asked for, or stops the job for hand-over if this process is shutting down.
     */
    public void checkCancelled() {
        if (shuttingDown.getAsBoolean()) {
            throw new WorkerShutdownException();
        }
        long now = System.nanoTime();
        if (now - lastLeaseCheckNanos < config.leaseCheckInterval().toNanos()) {
            return;
        }
        lastLeaseCheckNanos = now;
        if (leases.heartbeat(lease)) {
            throw new JobCancelledException();
        }
    }

    /** Sleeps in short slices so a cancel or shutdown is noticed while waiting. */
    public void sleep(Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (true) {
            checkCancelled();
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 50)));
        }
    }

    Lease lease() {
        return lease;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}

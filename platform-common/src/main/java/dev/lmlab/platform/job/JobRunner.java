package dev.lmlab.platform.job;

import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one job execution handed over by db-scheduler: takes the lease, resumes from the last checkpoint,
 * calls the handler and turns its outcome into the run's final state. db-scheduler supplies the durability
 * (a persistent queue, heartbeats, reviving executions of dead workers); the lease makes the revived job's
 * record exactly-once.
 */
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobCatalog catalog;
    private final LeaseStore leases;
    private final RunRegistry registry;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final PlatformProperties.Jobs config;
    private final String worker;
    private final MeterRegistry meters;
    private final AtomicInteger running = new AtomicInteger();

    JobRunner(
            JobCatalog catalog,
            LeaseStore leases,
            RunRegistry registry,
            TransactionTemplate tx,
            JsonMapper json,
            PlatformProperties.Jobs config,
            String worker,
            MeterRegistry meters) {
        this.catalog = catalog;
        this.leases = leases;
        this.registry = registry;
        this.tx = tx;
        this.json = json;
        this.config = config;
        this.worker = worker;
        this.meters = meters;
        Gauge.builder("lmlab.jobs.running", running, AtomicInteger::get)
                .description("Jobs this worker is executing now")
                .register(meters);
    }

    void execute(String runIdText, ExecutionContext execution) {
        UUID runId = UUID.fromString(runIdText);
        MDC.put("runId", runIdText);
        try {
            execute(runId, () -> execution.getSchedulerState().isShuttingDown());
        } finally {
            MDC.remove("runId");
        }
    }

    void execute(UUID runId, BooleanSupplier shuttingDown) {
        Optional<LeaseStore.Taken> taken = leases.take(runId, worker);
        if (taken.isEmpty()) {
            log.info("Run {} has already finished; nothing to execute", runId);
            return;
        }
        LeaseStore.Taken t = taken.get();
        Lease lease = t.lease();
        if (lease.attempt() > config.maxAttempts()) {
            String error = "Gave up after " + config.maxAttempts() + " workers took this job and none finished it"
                    + " (the last was " + t.previousWorker() + "); it may be crashing its worker.";
            log.error("Run {}: {}", runId, error);
            leases.finish(lease, RunStatus.FAILED, error);
            meters.counter("lmlab.jobs.given_up", "kind", t.kind()).increment();
            return;
        }
        Optional<JobHandler<?>> handler = catalog.find(t.kind());
        if (handler.isEmpty()) {
            leases.finish(lease, RunStatus.FAILED, "This service has no handler for job kind '" + t.kind() + "'.");
            return;
        }
        Optional<LeaseStore.Checkpoint> checkpoint = leases.checkpoint(runId);
        boolean resumed = t.previousStatus() == RunStatus.RUNNING;
        double startProgress = resumed ? registry.get(runId).progress() : 0;
        if (resumed) {
            resume(lease, t.previousWorker(), checkpoint);
        }
        JobContext context = new JobContext(
                lease, resumed, leases, registry, tx, json, config, shuttingDown, checkpoint, startProgress);
        log.info("Run {} ({}) started on {} (attempt {})", runId, t.kind(), worker, lease.attempt());
        running.incrementAndGet();
        long start = System.nanoTime();
        String[] outcome = {"handed_over"};
        try {
            outcome[0] = run(handler.get(), context, t);
        } finally {
            running.decrementAndGet();
            Timer.builder("lmlab.jobs.attempts")
                    .description("Time a worker spent on a job, by kind and how its attempt ended")
                    .tags("kind", t.kind(), "outcome", outcome[0])
                    .register(meters)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void resume(Lease lease, String previousWorker, Optional<LeaseStore.Checkpoint> checkpoint) {
        long from = checkpoint.map(LeaseStore.Checkpoint::nextStep).orElse(0L);
        tx.executeWithoutResult(s -> {
            leases.verify(lease);
            int dropped = registry.truncateMetrics(lease.runId(), from);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("attempt", lease.attempt());
            data.put("worker", worker);
            data.put("previous_worker", previousWorker);
            data.put("from_step", from);
            data.put("discarded_metric_points", dropped);
            registry.appendEvent(lease.runId(), "resumed", data);
        });
        log.warn(
                "Run {} resumed from step {} on {} after worker {} stopped (attempt {})",
                lease.runId(),
                from,
                worker,
                previousWorker,
                lease.attempt());
    }

    /** Runs the handler and records how the attempt ended; returns that outcome for the metrics. */
    private <P> String run(JobHandler<P> handler, JobContext context, LeaseStore.Taken taken) {
        Lease lease = context.lease();
        try {
            P params = catalog.read(handler, json.readTree(taken.params())); // checked when it was submitted
            if (taken.cancelRequested()) {
                throw new JobCancelledException();
            }
            handler.run(context, params);
            context.flushMetrics();
            leases.finish(lease, RunStatus.SUCCEEDED, null);
            log.info("Run {} succeeded", lease.runId());
            return "succeeded";
        } catch (JobCancelledException e) {
            flushQuietly(context);
            leases.finish(lease, RunStatus.CANCELLED, "cancelled by request");
            log.info("Run {} cancelled", lease.runId());
            return "cancelled";
        } catch (LeaseLostException e) {
            log.warn("Run {}: {}; this worker stops here", lease.runId(), e.getMessage());
            return "lease_lost";
        } catch (WorkerShutdownException e) {
            flushQuietly(context);
            registry.appendEvent(
                    lease.runId(),
                    "released",
                    Map.of(
                            "worker",
                            worker,
                            "resume_step",
                            context.checkpointStep(),
                            "reason",
                            "worker shutting down"));
            log.info("Run {} released at shutdown; another worker resumes it", lease.runId());
            // let db-scheduler's failure handler put the execution back in the queue
            throw e;
        } catch (Exception | LinkageError e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.error("Run {} failed: {}", lease.runId(), error, e);
            try {
                flushQuietly(context);
                leases.finish(lease, RunStatus.FAILED, error);
            } catch (LeaseLostException lost) {
                log.warn("Run {}: could not record the failure: {}", lease.runId(), lost.getMessage());
            }
            return "failed";
        }
    }

    private static void flushQuietly(JobContext context) {
        try {
            context.flushMetrics();
        } catch (RuntimeException e) {
            log.warn("Run {}: buffered metrics were not written: {}", context.runId(), e.getMessage());
        }
    }
}

package dev.lmlab.platform.job;

/**
 * One kind of durable job. A handler is a Spring bean; the platform binds and validates its params, creates
 * the run, schedules the job, and calls {@link #run} on whichever replica picks it up, possibly more than once
 * if a worker dies. So {@code run} must resume from {@link JobContext#resumeStep()} and record its work through
 * the context (metrics, checkpoints, artifacts), which makes the recorded work exactly-once.
 *
 * @param <P> the params record; bound strictly from JSON (unknown fields are refused) and then validated
 */
public interface JobHandler<P> {

    /** The kind name used in submissions and stored on the run, e.g. {@code selftest} or {@code sft}. */
    String kind();

    Class<P> paramsType();

    /** One line for {@code GET /jobs/kinds}. */
    String description();

    /** The params a submission without {@code params} gets; listed by {@code GET /jobs/kinds}. */
    P defaultParams();

    /**
     * Checks what bean validation cannot, before a run is created: that a named model is registered, that paths
     * stay inside their roots. Throw an {@code ApiException} (a 4xx) to refuse the submission.
     */
    default void check(P params) {}

    /** A run name when the submitter gives none. */
    default String defaultName(P params) {
        return kind();
    }

    /**
     * Does the work. Call {@link JobContext#checkpoint} between steps so a revived job can resume, and let
     * {@link JobCancelledException} and lease exceptions propagate: the platform turns them into run states.
     */
    void run(JobContext context, P params) throws Exception;
}

package dev.lmlab.platform.job;

/** Thrown from {@link JobContext} at a step boundary once someone asked the run to stop. */
public class JobCancelledException extends RuntimeException {
    public JobCancelledException() {
        super("the run was cancelled", null, false, false);
    }
}

package dev.lmlab.platform.job;

import java.util.UUID;

/**
 * This worker no longer holds the job: it was declared dead (a long pause, a lost connection) and another
 * worker took over, or the run was ended from outside. Everything it still wants to write is refused.
 */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(UUID runId, int attempt) {
        super("worker lost the lease on run " + runId + " (attempt " + attempt + "); another worker owns it now");
    }
}

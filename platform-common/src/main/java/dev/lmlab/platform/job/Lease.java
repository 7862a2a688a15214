package dev.lmlab.platform.job;

import java.util.UUID;

/**
 * A worker's claim on a job: the run's attempt number at the moment it took it. Every write the job makes
 * checks that the run's attempt is still this one (a fencing token), so a worker that was declared dead and
 * wakes up later cannot add to the record.
 */
record Lease(UUID runId, int attempt, String worker) {}

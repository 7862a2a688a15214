package dev.lmlab.platform.job;

/** The process is shutting down: the job stops at a step boundary and is handed to the next worker. */
class WorkerShutdownException extends RuntimeException {
    WorkerShutdownException() {
        super("worker is shutting down; the job goes back to the queue", null, false, false);
    }
}

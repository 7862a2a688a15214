package dev.lmlab.inference.batch;

import dev.lmlab.inference.engine.Ticket;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.web.ApiException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/** Batch jobs share the model's queue with online requests: when it is full they wait their turn. */
final class Backoff {

    private Backoff() {}

    static <T> Ticket<T> submit(JobContext context, Supplier<Ticket<T>> submit) throws InterruptedException {
        while (true) {
            try {
                return submit.get();
            } catch (ApiException e) {
                if (e.status() != HttpStatus.SERVICE_UNAVAILABLE) {
                    throw e;
                }
                context.sleep(Duration.ofMillis(200));
            }
        }
    }

    /** The ticket's result, a worker-side failure rethrown as itself. */
    static <T> T await(Ticket<T> ticket) {
        try {
            return ticket.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}

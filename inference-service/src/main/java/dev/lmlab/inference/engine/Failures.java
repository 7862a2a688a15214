package dev.lmlab.inference.engine;

import dev.lmlab.platform.web.ApiException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * Failures from the model's thread as problems a client can act on: bad input found while running (an
 * IllegalArgumentException from lm-core) is a 400, a cancelled or unloaded request a 503 to retry, anything else
 * a logged 500.
 */
public final class Failures {

    private static final Logger log = LoggerFactory.getLogger(Failures.class);

    private Failures() {}

    /** {@code result} with its failure, if any, turned into an {@link ApiException}. */
    public static <T> CompletableFuture<T> answer(CompletableFuture<T> result) {
        return result.handle((value, error) -> {
            if (error != null) {
                throw problem(error);
            }
            return value;
        });
    }

    public static ApiException problem(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof IllegalArgumentException) {
            return ApiException.badRequest("invalid-request", cause.getMessage());
        }
        if (cause instanceof CancellationException) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "cancelled", "the request was cancelled")
                    .with("retry_after_seconds", 1);
        }
        log.error("A model task failed unexpectedly", cause);
        return new ApiException(
                HttpStatus.INTERNAL_SERVER_ERROR, "model-failure", "the model failed on this request: " + cause);
    }

    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}

package dev.lmlab.inference.engine;

import java.util.concurrent.CompletableFuture;

/** A request accepted by a model's worker: its eventual result, and a way to give it up (a client went away). */
public final class Ticket<T> {

    final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile Runnable onCancel = () -> {};
    private volatile boolean cancelled;

    public CompletableFuture<T> result() {
        return result;
    }

    /** Frees the request's place: it is dropped before it runs, or leaves the running batch at the next step. */
    public void cancel() {
        cancelled = true;
        onCancel.run();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** A ticket for this one's result mapped by {@code f}; cancelling it cancels this one. */
    public <B> Ticket<B> map(java.util.function.Function<T, B> f) {
        Ticket<B> out = new Ticket<>();
        out.onCancel(this::cancel);
        result.whenComplete((a, e) -> {
            if (e != null) {
                out.result.completeExceptionally(e);
                return;
            }
            try {
                out.result.complete(f.apply(a));
            } catch (RuntimeException x) {
                out.result.completeExceptionally(x);
            }
        });
        return out;
    }

    void onCancel(Runnable action) {
        onCancel = action;
        if (cancelled) {
            action.run();
        }
    }
}

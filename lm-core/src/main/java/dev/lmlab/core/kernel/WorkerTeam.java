package dev.lmlab.core.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntBinaryOperator;

/**
 * A fork-join for the many short parallel sections of a decode step (five per layer, each well under a
 * millisecond): the caller and {@code size - 1} resident workers split [0, n) into contiguous ranges. Workers
 * spin briefly between sections instead of parking, because handing a task to a parked thread through an
 * executor costs tens of microseconds each time, several percent of a batch-1 step. After {@link #SPIN_NANOS}
 * without work a worker parks, so an idle model costs no CPU.
 *
 * <p>One caller at a time: sections of one decoder never overlap (callers hold the decoder for a whole step).
 */
final class WorkerTeam implements AutoCloseable {

    static final long SPIN_NANOS = 200_000;

    private final int size;
    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile IntBinaryOperator task;
    private volatile int count;
    private volatile Throwable failure;
    private volatile boolean closed;
    private final AtomicInteger parked = new AtomicInteger(); // workers parked or about to park

    WorkerTeam(int size, String name) {
        this.size = Math.max(1, size);
        this.workers = new Thread[this.size - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = new Thread(() -> work(index), name + "-" + index);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    int size() {
        return size;
    }

    /** Runs {@code work(from, to)} over [0, n) split into one contiguous range per member; returns when all did. */
    synchronized void run(int n, IntBinaryOperator work) {
        if (closed) {
            throw new IllegalStateException("the decoder was closed");
        }
        if (size == 1 || n < 2) {
            work.applyAsInt(0, n);
            return;
        }
        task = work;
        count = n;
        failure = null;
        pending.set(workers.length);
        generation++; // publishes task and count
        if (parked.get() > 0) {
            for (Thread t : workers) {
                LockSupport.unpark(t);
            }
        }
        Throwable own = null;
        try {
            runShare(0, n, work);
        } catch (Throwable t) {
            own = t;
        }
        while (pending.get() > 0) {
            Thread.onSpinWait();
        }
        Throwable failed = own != null ? own : failure;
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
    }

    private void runShare(int member, int n, IntBinaryOperator work) {
        int chunk = (n + size - 1) / size;
        int from = member * chunk;
        int to = Math.min(n, from + chunk);
        if (from < to) {
            work.applyAsInt(from, to);
        }
    }

    private void work(int member) {
        long seen = 0;
        while (true) {
            seen = awaitWork(seen);
            if (closed) {
                return;
            }
            try {
                runShare(member, count, task);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    /** Spins, then parks, until a generation after {@code seen} starts or the team closes; returns it. */
    private long awaitWork(long seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (true) {
            long g = generation;
            if (g != seen || closed) {
                return g;
            }
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            // announce, re-check, then park: a caller that bumps the generation after the re-check sees the count
            parked.incrementAndGet();
            try {
                if (generation == seen && !closed) {
                    LockSupport.park(this);
                }
            } finally {
                parked.decrementAndGet();
            }
            spinUntil = System.nanoTime() + SPIN_NANOS;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }

    boolean closed() {
        return closed;
    }
}

package dev.lmlab.inference.engine;

import dev.lmlab.core.generate.ContinuousBatch;
import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.DiffusionResult;
import dev.lmlab.core.generate.Generation;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import dev.lmlab.core.generate.StreamListener;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * The one thread that runs a loaded model. Everything the model computes goes through it, so cores are never
 * oversubscribed by several decodes at once; requests meet here and are batched:
 *
 * <ul>
 *   <li>plain autoregressive requests join a {@link ContinuousBatch} between steps and leave it when done;
 *   <li>diffusion requests with the same decoding parameters are decoded as one batch;
 *   <li>anything else (scoring, activations, generation with interventions) runs alone between steps.
 * </ul>
 *
 * <p>Admission is bounded: the running batch plus {@code queueCapacity} waiting requests; beyond that a request
 * is refused with 503 and {@code Retry-After} instead of piling up.
 */
public final class ModelWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelWorker.class);

    private final String id;
    private final LanguageModel model;
    private final Optional<ContinuousBatch> batch;
    private final int maxBatchRows;
    private final Semaphore permits;
    private final int capacity;
    private final BlockingQueue<Work> inbox = new LinkedBlockingQueue<>();
    private final Deque<Generate> waiting = new ArrayDeque<>();
    private final List<Diffuse> diffusing = new ArrayList<>();
    private final Thread thread;
    private final AtomicLong tokens = new AtomicLong();
    private final long kvBudget;
    private final AtomicLong kvReserved = new AtomicLong();
    private volatile boolean retiring;
    private volatile boolean stopped;

    private sealed interface Work permits Generate, Diffuse, Task {
        Ticket<?> ticket();
    }

    private record Generate(
            long[] prompt, SamplingParams params, int n, StreamListener listener, Ticket<List<Generation>> ticket)
            implements Work {}

    private record Diffuse(long[] prompt, DiffusionParams params, Ticket<DiffusionResult> ticket) implements Work {}

    private record Task(Function<LanguageModel, Object> body, Ticket<Object> ticket) implements Work {}

    public ModelWorker(String id, LanguageModel model, int maxBatchRows, int queueCapacity, long kvBudget) {
        this.id = id;
        this.kvBudget = kvBudget;
        this.model = model;
        this.maxBatchRows = maxBatchRows;
        this.capacity = maxBatchRows + queueCapacity;
        this.permits = new Semaphore(capacity);
        this.batch = model.config().maskedDiffusion() ? Optional.empty() : ContinuousBatch.of(model);
        if (!model.config().maskedDiffusion() && batch.isEmpty()) {
            log.info(
                    "Model '{}' decodes on PyTorch ({}): requests run one after another, without continuous"
                            + " batching",
                    id,
                    model.transformer().dtype());
        }
        this.thread = new Thread(this::loop, "lmlab-model-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    public LanguageModel model() {
        return model;
    }

    /** Whether requests join a running batch (the CPU decode kernels apply to this model). */
    public boolean continuousBatching() {
        return batch.isPresent();
    }

    /** Requests accepted and not yet finished: running, waiting to join, or queued. */
    public int outstanding() {
        return capacity - permits.availablePermits();
    }

    public long tokensGenerated() {
        return tokens.get();
    }

    /**
     * Heap the CPU decode path's KV cache takes for {@code positions} positions of one row: keys and values of
     * every layer, float32.
     */
    public long kvBytes(int positions) {
        var c = model.config();
        return 2L * c.numLayers() * c.numKvHeads() * c.headDim() * 4L * positions;
    }

    /** Autoregressive generation of {@code n} samples of one prompt, plain (no hooks): batched continuously. */
    public Ticket<List<Generation>> generate(long[] prompt, SamplingParams params, int n, StreamListener listener) {
        long need = kvBytes(prompt.length + params.maxNewTokens()) * n;
        if (batch.isPresent() && need > kvBudget) {
            throw ApiException.badRequest(
                            "kv-cache-budget-exceeded",
                            "this request's KV cache (" + n + " × " + (prompt.length + params.maxNewTokens())
                                    + " positions, " + need / (1 << 20) + " MiB) exceeds the model's whole budget"
                                    + " of " + kvBudget / (1 << 20) + " MiB (lmlab.inference.kv-cache-budget);"
                                    + " ask for fewer max_tokens or a smaller n")
                    .with("field", "max_tokens");
        }
        Ticket<List<Generation>> ticket = new Ticket<>();
        submit(new Generate(prompt, params, n, listener, ticket), ticket);
        return ticket;
    }

    /** Diffusion decoding, batched with other requests that decode with the same parameters. */
    public Ticket<DiffusionResult> diffuse(long[] prompt, DiffusionParams params) {
        Ticket<DiffusionResult> ticket = new Ticket<>();
        submit(new Diffuse(prompt, params, ticket), ticket);
        return ticket;
    }

    /** Runs {@code body} on the model's thread between decode steps. */
    @SuppressWarnings("unchecked")
    public <T> Ticket<T> run(Function<LanguageModel, T> body) {
        Ticket<Object> ticket = new Ticket<>();
        submit(new Task((Function<LanguageModel, Object>) body, ticket), ticket);
        return (Ticket<T>) (Ticket<?>) ticket;
    }

    private void submit(Work work, Ticket<?> ticket) {
        if (retiring) {
            throw unavailable("model-unloading", "model '" + id + "' is being unloaded; retry to load it again");
        }
        if (!permits.tryAcquire()) {
            throw unavailable(
                            "model-busy",
                            "model '" + id + "' has " + capacity + " requests running or waiting, its limit"
                                    + " (lmlab.inference.max-batch-rows + queue-capacity); retry shortly")
                    .with("queue_capacity", capacity);
        }
        ticket.result.whenComplete((r, e) -> permits.release());
        inbox.add(work);
    }

    private static ApiException unavailable(String slug, String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, slug, detail).with("retry_after_seconds", 1);
    }

    private boolean busy() {
        return !waiting.isEmpty()
                || !diffusing.isEmpty()
                || batch.map(b -> !b.idle()).orElse(false);
    }

    private void loop() {
        try {
            while (!stopped) {
                Work first = busy() ? inbox.poll() : inbox.poll(100, TimeUnit.MILLISECONDS);
                List<Work> arrived = new ArrayList<>();
                if (first != null) {
                    arrived.add(first);
                    inbox.drainTo(arrived);
                }
                if (first == null && retiring && !busy()) {
                    break;
                }
                for (Work w : arrived) {
                    if (w instanceof Generate g) {
                        waiting.add(g);
                    } else if (w instanceof Diffuse d) {
                        diffusing.add(d);
                    } else {
                        runTask((Task) w);
                    }
                }
                admit();
                decodeDiffusionGroup();
                batch.ifPresent(this::step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("The worker of model '{}' stopped on an unexpected error; its requests fail", id, e);
        } finally {
            retiring = true; // new requests get a 503 and, retried, load the model afresh
            failEverything(unavailable("model-unloaded", "model '" + id + "' was unloaded; retry to load it again"));
        }
    }

    private void step(ContinuousBatch b) {
        if (b.idle()) {
            return;
        }
        try {
            int rows = b.size();
            b.step();
            tokens.addAndGet(rows);
        } catch (RuntimeException e) {
            log.error("A decode step of model '{}' failed; the running requests fail", id, e);
            b.abortAll(e);
        }
    }

    /** Moves waiting requests into the running batch while it has room (or runs them alone without one). */
    private void admit() {
        for (Iterator<Generate> it = waiting.iterator(); it.hasNext(); ) {
            Generate g = it.next();
            if (g.ticket.cancelled()) {
                it.remove();
                g.ticket.result.completeExceptionally(new CancellationException("cancelled before it ran"));
                continue;
            }
            if (batch.isEmpty()) {
                it.remove();
                complete(g.ticket, () -> {
                    List<long[]> copies = new ArrayList<>();
                    for (int i = 0; i < g.n; i++) {
                        copies.add(g.prompt);
                    }
                    List<Generation> out = new Generator(model).generate(copies, g.params, Hooks.NONE, g.listener);
                    tokens.addAndGet(
                            out.stream().mapToLong(x -> x.tokenIds().length).sum());
                    return out;
                });
                continue;
            }
            ContinuousBatch b = batch.get();
            long need = kvBytes(g.prompt.length + g.params.maxNewTokens()) * g.n;
            if (!b.idle() && (b.size() + g.n > maxBatchRows || kvReserved.get() + need > kvBudget)) {
                return; // first come, first served: later requests wait behind this one
            }
            it.remove();
            kvReserved.addAndGet(need);
            g.ticket.result.whenComplete((r, e) -> kvReserved.addAndGet(-need));
            try {
                ContinuousBatch.Request request = b.join(g.prompt, g.params, g.n, g.listener);
                g.ticket.onCancel(request::cancel);
                request.result().whenComplete((out, e) -> {
                    if (e != null) {
                        g.ticket.result.completeExceptionally(e);
                    } else {
                        g.ticket.result.complete(out);
                    }
                });
            } catch (RuntimeException e) {
                g.ticket.result.completeExceptionally(e);
            }
        }
    }

    /** Decodes the oldest diffusion request together with every waiting one that shares its parameters. */
    private void decodeDiffusionGroup() {
        diffusing.removeIf(d -> {
            if (d.ticket.cancelled()) {
                d.ticket.result.completeExceptionally(new CancellationException("cancelled before it ran"));
                return true;
            }
            return false;
        });
        if (diffusing.isEmpty()) {
            return;
        }
        DiffusionParams params = diffusing.get(0).params;
        List<Diffuse> group = new ArrayList<>();
        for (Diffuse d : diffusing) {
            if (d.params.equals(params) && group.size() < maxBatchRows) {
                group.add(d);
            }
        }
        diffusing.removeAll(group);
        try {
            List<DiffusionResult> results = new DiffusionDecoder(model)
                    .generate(group.stream().map(Diffuse::prompt).toList(), params, Hooks.NONE);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).ticket.result.complete(results.get(i));
            }
            tokens.addAndGet((long) params.genLength() * group.size());
        } catch (RuntimeException e) {
            group.forEach(d -> d.ticket.result.completeExceptionally(e));
        }
    }

    private void runTask(Task t) {
        if (t.ticket.cancelled()) {
            t.ticket.result.completeExceptionally(new CancellationException("cancelled before it ran"));
            return;
        }
        complete(t.ticket, () -> t.body.apply(model));
    }

    private static <T> void complete(Ticket<T> ticket, java.util.function.Supplier<T> body) {
        try {
            ticket.result.complete(body.get());
        } catch (RuntimeException e) {
            ticket.result.completeExceptionally(e);
        }
    }

    private void failEverything(RuntimeException cause) {
        batch.ifPresent(b -> b.abortAll(cause));
        waiting.forEach(g -> g.ticket.result.completeExceptionally(cause));
        waiting.clear();
        diffusing.forEach(d -> d.ticket.result.completeExceptionally(cause));
        diffusing.clear();
        List<Work> left = new ArrayList<>();
        inbox.drainTo(left);
        for (Work w : left) {
            w.ticket().result.completeExceptionally(cause);
        }
    }

    /** Whether the worker takes requests: not retiring, and its thread did not stop on an error. */
    public boolean serving() {
        return !retiring && thread.isAlive();
    }

    /** Stops taking requests, finishes the ones accepted, then closes the model; returns at once. */
    public void retire() {
        retiring = true;
    }

    /** Waits until the worker has finished (after {@link #retire()}), then frees the model's memory. */
    @Override
    public void close() {
        retire();
        try {
            thread.join(TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Model '{}' still had work after 2 minutes; stopping it", id);
            stopped = true;
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        model.close();
    }
}

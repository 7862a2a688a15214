package dev.lmlab.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.kernel.CpuDecoder;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.KvCache;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Continuous batching for a causal model: requests join the running batch between decode steps and leave it as
 * soon as they finish, so a short request never waits for a long one and a new one never waits for the batch to
 * drain. Every step advances all running rows together on the CPU decode kernels, which read each weight once
 * per step whatever the batch size.
 *
 * <p>Joining a busy batch, a short prompt (up to {@link #STEP_PREFILL_MAX} tokens) is prefilled inside the
 * running steps, one prompt token per step as one more row: the weights are being read for the other rows
 * anyway, so its prefill costs them almost nothing, where a PyTorch prefill would stall every row for a full
 * forward pass. A longer prompt is prefilled on PyTorch at once. Joining an idle batch, a short prompt takes
 * whichever the batch has measured to be faster: its length in decode steps, or one PyTorch prefill (a small
 * model's steps take well under a millisecond while a PyTorch call costs milliseconds of overhead; a large
 * model's prefill reads the weights once where every step reads them again).
 *
 * <p>Rows sample exactly as {@link Generator} does (row i of a request seeded with seed + i), so a request gets
 * the same tokens whatever else shares its steps. Not thread-safe: one thread owns the batch, calling {@link
 * #join} and {@link #step} in turn.
 */
public final class ContinuousBatch {

    /**
     * Prompts up to this long joining a busy batch are prefilled token by token inside the running steps; the
     * joining request then waits this many steps for its first token at most, instead of everyone waiting for a
     * PyTorch prefill.
     */
    public static final int STEP_PREFILL_MAX = 16;

    private final LanguageModel model;
    private final CpuDecoder decoder;
    private final List<Active> running = new ArrayList<>();
    // running averages (0: not measured yet) of one decode step and of one short PyTorch prefill
    private double stepNanos;
    private double prefillNanos;

    /** One submitted request: its rows (the n samples) and the future their generations complete. */
    public static final class Request {
        private final CompletableFuture<List<Generation>> result = new CompletableFuture<>();
        private final DecodingRow[] rows;
        private final SamplingParams params;
        private final StreamListener listener;
        private final Set<Long> stopIds;
        private volatile boolean cancelled;
        private int open;

        private Request(DecodingRow[] rows, SamplingParams params, StreamListener listener, Set<Long> stopIds) {
            this.rows = rows;
            this.params = params;
            this.listener = listener;
            this.stopIds = stopIds;
            this.open = rows.length;
        }

        /** Completes with one generation per row, or with a {@link CancellationException} once cancelled. */
        public CompletableFuture<List<Generation>> result() {
            return result;
        }

        /** Asks the batch to drop this request's rows at the next step (a client went away); thread-safe. */
        public void cancel() {
            cancelled = true;
        }

        public boolean cancelled() {
            return cancelled;
        }
    }

    /**
     * A row in the running batch: its sampling state, its KV sequence and the token it feeds next; while its
     * prompt is being stepped in, {@code prompt} holds it and {@code fed} how much of it the sequence has.
     */
    private static final class Active {
        final Request request;
        final int index;
        final DecodingRow row;
        final CpuDecoder.Sequence sequence;
        long[] prompt;
        int fed;
        long next;

        Active(Request request, int index, DecodingRow row, CpuDecoder.Sequence sequence) {
            this.request = request;
            this.index = index;
            this.row = row;
            this.sequence = sequence;
        }

        /** Rows this entry stands for: all of its request's samples while it prefills for them. */
        int rows() {
            return prompt != null ? request.rows.length : 1;
        }
    }

    /** The batch of {@code model}, or empty where the CPU decode kernels do not apply (GPU, float16). */
    public static java.util.Optional<ContinuousBatch> of(LanguageModel model) {
        if (model.config().maskedDiffusion()) {
            throw new IllegalArgumentException(model.config().architecture() + " is a masked-diffusion model");
        }
        return model.transformer().cpuDecoder().map(d -> new ContinuousBatch(model, d));
    }

    private ContinuousBatch(LanguageModel model, CpuDecoder decoder) {
        this.model = model;
        this.decoder = decoder;
    }

    /** Rows decoding now, counting the samples a prefilling request will fork into. */
    public int size() {
        int rows = 0;
        for (Active a : running) {
            rows += a.rows();
        }
        return rows;
    }

    public boolean idle() {
        return running.isEmpty();
    }

    /**
     * Prefills {@code prompt} and adds {@code n} rows sampling from it (their first tokens are picked here). A
     * request may finish during the join (an eos first, or one new token asked for).
     */
    public Request join(long[] prompt, SamplingParams params, int n, StreamListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        int total = prompt.length + params.maxNewTokens();
        if (total > model.config().maxPositions()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + ") + max new tokens ("
                    + params.maxNewTokens() + ") exceed the model's context of "
                    + model.config().maxPositions());
        }
        TextTokenizer tokenizer = model.tokenizer();
        Set<Long> stopIds = new HashSet<>(tokenizer.specials().eosIds());
        stopIds.addAll(params.stopTokenIds());
        DecodingRow[] rows = new DecodingRow[n];
        for (int i = 0; i < n; i++) {
            rows[i] = new DecodingRow(prompt, 0, new SplittableRandom(params.seed() + i));
        }
        Request request = new Request(rows, params, listener, stopIds);
        boolean stepIn = prompt.length <= STEP_PREFILL_MAX
                && (!running.isEmpty()
                        || (prefillNanos > 0 && stepNanos > 0 && prompt.length * stepNanos < prefillNanos));
        if (stepIn) {
            Active first = new Active(request, 0, rows[0], decoder.newSequence(total));
            first.prompt = prompt;
            running.add(first);
            return request;
        }
        float[] logits;
        CpuDecoder.Sequence prefilled;
        long start = System.nanoTime();
        try (NDManager scope = model.manager().newSubManager();
                KvCache cache = KvCache.allocate(model.config(), 1, prompt.length, scope)) {
            long[] mask = new long[prompt.length];
            long[] positions = new long[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                mask[i] = 1;
                positions[i] = i;
            }
            Shape shape = new Shape(1, prompt.length);
            NDArray out = model.transformer()
                    .forward(
                            scope.create(prompt, shape),
                            scope.create(mask, shape),
                            scope.create(positions, shape),
                            cache,
                            Hooks.NONE,
                            new HookSite(new int[] {0}, new int[] {prompt.length}, 0));
            logits = out.get(new NDIndex(":, {}, :", prompt.length - 1)).toFloatArray();
            prefilled = decoder.importRows(cache, 1, new int[] {0}, total).get(0);
        }
        if (prompt.length <= STEP_PREFILL_MAX) {
            prefillNanos = average(prefillNanos, System.nanoTime() - start);
        }
        startSampling(request, prefilled, logits, running);
        return request;
    }

    /** The prompt is in {@code prefilled}: fork it for every sample and pick each one's first token. */
    private void startSampling(Request request, CpuDecoder.Sequence prefilled, float[] logits, List<Active> into) {
        int n = request.rows.length;
        for (int i = 0; i < n; i++) {
            CpuDecoder.Sequence sequence = i == n - 1 ? prefilled : prefilled.fork();
            Active active = new Active(request, i, request.rows[i], sequence);
            if (!pick(active, logits.clone())) {
                into.add(active);
            }
        }
    }

    /** One token for every running row; rows that finish or were cancelled leave the batch. */
    public void step() {
        dropCancelled();
        if (running.isEmpty()) {
            return;
        }
        int b = running.size();
        long[] tokens = new long[b];
        int[] positions = new int[b];
        List<CpuDecoder.Sequence> sequences = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            Active a = running.get(r);
            tokens[r] = a.prompt != null ? a.prompt[a.fed] : a.next;
            positions[r] = a.sequence.length();
            sequences.add(a.sequence);
        }
        long start = System.nanoTime();
        float[] logits = decoder.step(sequences, tokens, positions);
        stepNanos = average(stepNanos, System.nanoTime() - start);
        int v = logits.length / b;
        List<Active> still = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            Active a = running.get(r);
            if (a.prompt != null) {
                if (++a.fed < a.prompt.length) {
                    still.add(a); // more prompt to feed; these logits predict a token we already have
                } else {
                    a.prompt = null;
                    startSampling(a.request, a.sequence, Arrays.copyOfRange(logits, r * v, (r + 1) * v), still);
                }
                continue;
            }
            if (!pick(a, Arrays.copyOfRange(logits, r * v, (r + 1) * v))) {
                still.add(a);
            }
        }
        running.clear();
        running.addAll(still);
    }

    private static double average(double mean, long sample) {
        return mean == 0 ? sample : 0.8 * mean + 0.2 * sample;
    }

    /** Fails every running request (the model is being unloaded). */
    public void abortAll(RuntimeException cause) {
        for (Active a : running) {
            a.request.result.completeExceptionally(cause);
        }
        running.clear();
    }

    /** Samples the row's next token; returns whether the row is done (and completes its request if last). */
    private boolean pick(Active a, float[] logits) {
        Request q = a.request;
        DecodingRow row = a.row;
        int token = Sampler.pick(logits.clone(), row.seen(), q.params, row.random);
        row.accept(token, logits, q.params, q.stopIds, model.tokenizer(), q.listener, a.index);
        if (row.finished == null) {
            a.next = token;
            return false;
        }
        if (--q.open == 0) {
            List<Generation> out = new ArrayList<>(q.rows.length);
            for (DecodingRow r : q.rows) {
                out.add(r.result(model.tokenizer(), q.listener));
            }
            q.result.complete(out);
        }
        return true;
    }

    private void dropCancelled() {
        for (Iterator<Active> it = running.iterator(); it.hasNext(); ) {
            Active a = it.next();
            if (a.request.cancelled) {
                it.remove();
                a.request.result.completeExceptionally(new CancellationException("the request was cancelled"));
            }
        }
    }
}

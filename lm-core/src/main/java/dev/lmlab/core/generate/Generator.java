package dev.lmlab.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.kernel.CpuDecoder;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.KvCache;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding for causal models: a batch of prompts, left-padded, prefilled once, then one token per
 * row per step with a KV cache. Rows finish on their own (eos, stop ids, stop strings, length); the batch ends
 * when all have.
 */
public final class Generator {

    private final LanguageModel model;

    public Generator(LanguageModel model) {
        if (model.config().maskedDiffusion()) {
            throw new IllegalArgumentException(
                    model.config().architecture() + " is a masked-diffusion model;" + " use DiffusionDecoder");
        }
        this.model = model;
    }

    public List<Generation> generate(List<long[]> prompts, SamplingParams params) {
        return generate(prompts, params, Hooks.NONE, StreamListener.NONE);
    }

    public List<Generation> generate(
            List<long[]> prompts, SamplingParams params, Hooks hooks, StreamListener listener) {
        ModelConfig config = model.config();
        TextTokenizer tokenizer = model.tokenizer();
        int b = prompts.size();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        if (longest == 0) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        int total = longest + params.maxNewTokens();
        if (total > config.maxPositions()) {
            throw new IllegalArgumentException("prompt (" + longest + ") + max new tokens (" + params.maxNewTokens()
                    + ") exceed the model's context of " + config.maxPositions());
        }
        long pad = tokenizer.specials().padId() != null ? tokenizer.specials().padId() : 0;
        Set<Long> stopIds = new HashSet<>(tokenizer.specials().eosIds());
        stopIds.addAll(params.stopTokenIds());

        DecodingRow[] rows = new DecodingRow[b];
        for (int r = 0; r < b; r++) {
            rows[r] = new DecodingRow(
                    prompts.get(r), longest - prompts.get(r).length, new SplittableRandom(params.seed() + r));
        }
        try (NDManager scope = model.manager().newSubManager();
                KvCache cache = KvCache.allocate(config, b, total, scope)) {
            // prefill: every prompt, left-padded to the longest
            long[] ids = new long[b * longest];
            long[] mask = new long[b * total];
            long[] positions = new long[b * longest];
            int[] offsets = new int[b];
            int[] promptLengths = new int[b];
            for (int r = 0; r < b; r++) {
                DecodingRow row = rows[r];
                offsets[r] = -row.pad;
                promptLengths[r] = row.prompt.length;
                for (int i = 0; i < longest; i++) {
                    boolean real = i >= row.pad;
                    ids[r * longest + i] = real ? row.prompt[i - row.pad] : pad;
                    mask[r * total + i] = real ? 1 : 0;
                    positions[r * longest + i] = Math.max(0, i - row.pad);
                }
            }
            NDArray logits = model.transformer()
                    .forward(
                            scope.create(ids, new Shape(b, longest)),
                            scope.create(maskPrefix(mask, b, total, longest), new Shape(b, longest)),
                            scope.create(positions, new Shape(b, longest)),
                            cache,
                            hooks,
                            new HookSite(offsets, promptLengths, 0));
            float[] last = lastPosition(logits, b);
            int length = longest;
            // Without hooks, decode steps leave PyTorch for the Vector-API kernels (same math, faster at batch 1-8)
            Optional<CpuDecoder> fast =
                    hooks == Hooks.NONE ? model.transformer().cpuDecoder() : Optional.empty();
            CpuDecoder.State state =
                    fast.map(d -> d.importCache(cache, b, pads(rows))).orElse(null);

            for (int step = 0; step < params.maxNewTokens(); step++) {
                int v = last.length / b;
                long[] next = new long[b];
                for (int r = 0; r < b; r++) {
                    DecodingRow row = rows[r];
                    if (row.finished != null) {
                        next[r] = pad;
                        continue;
                    }
                    float[] rowLogits = Arrays.copyOfRange(last, r * v, (r + 1) * v);
                    int token = Sampler.pick(rowLogits.clone(), row.seen(), params, row.random);
                    row.accept(token, rowLogits, params, stopIds, tokenizer, listener, r);
                    next[r] = row.finished != null ? pad : token;
                }
                if (Arrays.stream(rows).allMatch(row -> row.finished != null) || step == params.maxNewTokens() - 1) {
                    break;
                }
                // one more position per row: finished rows feed padding that nothing attends to
                long[] nextPositions = new long[b];
                int[] stepOffsets = new int[b];
                for (int r = 0; r < b; r++) {
                    mask[r * total + length] = rows[r].finished == null ? 1 : 0;
                    nextPositions[r] = length - rows[r].pad;
                    stepOffsets[r] = length - rows[r].pad;
                }
                length++;
                if (state != null) {
                    int[] stepPositions = new int[b];
                    for (int r = 0; r < b; r++) {
                        stepPositions[r] = (int) nextPositions[r];
                    }
                    last = fast.get().step(state, next, stepPositions);
                    continue;
                }
                logits = model.transformer()
                        .forward(
                                scope.create(next, new Shape(b, 1)),
                                scope.create(maskPrefix(mask, b, total, length), new Shape(b, length)),
                                scope.create(nextPositions, new Shape(b, 1)),
                                cache,
                                hooks,
                                new HookSite(stepOffsets, promptLengths, step + 1));
                last = lastPosition(logits, b);
                logits.close();
            }
        }
        List<Generation> out = new ArrayList<>(b);
        for (DecodingRow row : rows) {
            out.add(row.result(tokenizer, listener));
        }
        return out;
    }

    private static int[] pads(DecodingRow[] rows) {
        int[] pads = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            pads[r] = rows[r].pad;
        }
        return pads;
    }

    private static long[] maskPrefix(long[] mask, int b, int total, int length) {
        long[] out = new long[b * length];
        for (int r = 0; r < b; r++) {
            System.arraycopy(mask, r * total, out, r * length, length);
        }
        return out;
    }

    private static float[] lastPosition(NDArray logits, int b) {
        long t = logits.getShape().get(1);
        NDArray last = logits.get(new NDIndex(":, {}, :", t - 1)); // (B, V)
        return last.toFloatArray();
    }
}

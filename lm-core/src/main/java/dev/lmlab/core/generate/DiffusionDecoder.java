package dev.lmlab.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.KvCache;
import dev.lmlab.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Masked-diffusion decoding for LLaDA-style models. The response starts as {@code genLength} mask tokens and is
 * filled block by block (left to right); within a block each step predicts every masked position and keeps some
 * of the predictions: as many as LLaDA's schedule spreads over the block's steps (the first steps take one more
 * when they do not divide evenly), chosen by confidence or at random, or, with a threshold, every prediction
 * confident enough. Guided decoding replays a given response in the order the model is most sure of it.
 *
 * <p>Rows of a batch are left-padded to a common length and decoded together, each with its own selection.
 */
public final class DiffusionDecoder {

    private final LanguageModel model;
    private final long maskId;

    public DiffusionDecoder(LanguageModel model) {
        if (!model.config().maskedDiffusion()) {
            throw new IllegalArgumentException(model.config().architecture() + " is causal; use Generator");
        }
        this.model = model;
        this.maskId = model.config().maskTokenId();
    }

    public DiffusionResult generate(long[] prompt, DiffusionParams params) {
        return generate(List.of(prompt), params, Hooks.NONE).get(0);
    }

    public List<DiffusionResult> generate(List<long[]> prompts, DiffusionParams params, Hooks hooks) {
        if (params.useCache() && params.cfgScale() > 0) {
            throw new IllegalArgumentException("use_cache and cfg_scale cannot be combined");
        }
        return run(prompts, null, params, hooks);
    }

    /**
     * The order in which the model would unmask {@code reference} after {@code prompt}: at each step, the masked
     * positions where it is most confident in the reference token take it. The trajectory is what training on
     * self-distilled trajectories consumes.
     */
    public DiffusionResult guided(long[] prompt, long[] reference, int steps, int blockLength) {
        int block = blockLength <= 0 || blockLength > reference.length ? reference.length : blockLength;
        if (reference.length % block != 0) {
            block = reference.length; // one block when the reference does not split evenly
        }
        int blocks = reference.length / block;
        int perBlock = Math.max(1, steps / blocks);
        DiffusionParams params = new DiffusionParams(
                reference.length,
                perBlock * blocks,
                block,
                DiffusionParams.Remasking.LOW_CONFIDENCE,
                0,
                0,
                null,
                false,
                true,
                0);
        return run(List.of(prompt), List.of(reference), params, Hooks.NONE).get(0);
    }

    private List<DiffusionResult> run(List<long[]> prompts, List<long[]> references, DiffusionParams p, Hooks hooks) {
        int b = prompts.size();
        int longest = prompts.stream().mapToInt(x -> x.length).max().orElse(0);
        int total = longest + p.genLength();
        if (longest == 0) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        if (total > model.config().maxPositions()) {
            throw new IllegalArgumentException("prompt (" + longest + ") + gen_length (" + p.genLength()
                    + ") exceed the model's context of " + model.config().maxPositions());
        }
        for (long[] prompt : prompts) {
            for (long id : prompt) {
                if (id == maskId) {
                    throw new IllegalArgumentException("prompts must not contain the mask token (id " + maskId + ")");
                }
            }
        }
        long pad = model.tokenizer().specials().padId() != null
                ? model.tokenizer().specials().padId()
                : 0;
        long[][] x = new long[b][total];
        int[] pads = new int[b];
        long[] mask = new long[b * total];
        long[] positions = new long[b * total];
        for (int r = 0; r < b; r++) {
            pads[r] = longest - prompts.get(r).length;
            for (int i = 0; i < total; i++) {
                x[r][i] = i < pads[r] ? pad : i < longest ? prompts.get(r)[i - pads[r]] : maskId;
                mask[r * total + i] = i < pads[r] ? 0 : 1;
                positions[r * total + i] = Math.max(0, i - pads[r]);
            }
        }
        List<List<TrajectoryStep>> trajectories = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            trajectories.add(new ArrayList<>());
        }
        int forwardPasses = 0;
        int globalStep = 0;
        try (NDManager scope = model.manager().newSubManager();
                KvCache cache = p.useCache() ? KvCache.allocate(model.config(), b, total, scope) : null) {
            NDArray fullMask = scope.create(mask, new Shape(b, total));
            NDArray fullPositions = scope.create(positions, new Shape(b, total));
            for (int block = 0; block < p.blocks(); block++) {
                int start = longest + block * p.blockLength();
                int end = start + p.blockLength();
                int[][] schedule = transferSchedule(x, start, end, p.stepsPerBlock());
                int maxSteps = p.threshold() == null ? p.stepsPerBlock() : p.blockLength();
                for (int i = 0; i < maxSteps && anyMasked(x, start, end); i++, globalStep++) {
                    // predict every position: the whole sequence, or the block onwards over the cached prefix
                    boolean fromCache = p.useCache() && i > 0;
                    int from = fromCache ? start : 0;
                    NDArray logits;
                    try (NDManager stepScope = scope.newSubManager()) {
                        NDArray ids = stepScope.create(flatten(x, from), new Shape(b, total - from));
                        HookSite site = new HookSite(offsets(pads, from), promptLengths(prompts), globalStep);
                        if (p.useCache()) {
                            cache.truncate(fromCache ? start : 0);
                        }
                        NDArray pos = fromCache ? fullPositions.get(new NDIndex(":, {}:", from)) : fullPositions;
                        logits = guidedLogits(ids, fullMask, pos, cache, hooks, site, p, prompts, pads, stepScope);
                        forwardPasses += p.cfgScale() > 0 ? 2 : 1;
                        if (p.useCache() && !fromCache) {
                            cache.truncate(start); // keep the prefix for the block's later steps
                        }
                        // (B, T, V) → the block (B, L_block, V), and entropies of every masked response position
                        NDArray blockLogits = logits.get(new NDIndex(":, {}:{}, :", start - from, end - from));
                        float[] values = blockLogits.toFloatArray();
                        // masked positions all lie at or after the block start; earlier ones are decoded
                        int entropyFrom = Math.max(longest, from);
                        float[] entropies = p.returnTrajectory()
                                ? entropies(logits.get(new NDIndex(":, {}:, :", entropyFrom - from)))
                                : null;
                        int v = (int) blockLogits.getShape().get(2);
                        for (int r = 0; r < b; r++) {
                            long[] reference = references == null ? null : references.get(r);
                            TrajectoryStep step = select(
                                    x[r],
                                    r,
                                    values,
                                    v,
                                    start,
                                    end,
                                    longest,
                                    pads[r],
                                    schedule[r],
                                    i,
                                    p,
                                    reference,
                                    globalStep,
                                    block,
                                    entropies,
                                    entropyFrom,
                                    new SplittableRandom(p.seed() * 1_000_003L + globalStep * 31L + r));
                            if (p.returnTrajectory()) {
                                trajectories.get(r).add(step);
                            }
                        }
                    }
                }
            }
        }
        List<DiffusionResult> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            long[] response = Arrays.copyOfRange(x[r], longest, total);
            out.add(new DiffusionResult(
                    prompts.get(r), response, text(response), forwardPasses, List.copyOf(trajectories.get(r))));
        }
        return out;
    }

    /** Logits (B, T, V) of one step, with classifier-free guidance when asked for. */
    private NDArray guidedLogits(
            NDArray ids,
            NDArray fullMask,
            NDArray positions,
            KvCache cache,
            Hooks hooks,
            HookSite site,
            DiffusionParams p,
            List<long[]> prompts,
            int[] pads,
            NDManager scope) {
        if (p.cfgScale() == 0) {
            return model.transformer().forward(ids, fullMask, positions, cache, hooks, site);
        }
        // unconditional twin: the prompt masked out
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        long[] un = ids.toLongArray();
        for (int r = 0; r < b; r++) {
            for (int i = pads[r]; i < pads[r] + prompts.get(r).length; i++) {
                un[r * t + i] = maskId;
            }
        }
        NDArray both = NDArrays.concat(new NDList(ids, scope.create(un, new Shape(b, t))), 0);
        NDArray bothMask = NDArrays.concat(new NDList(fullMask, fullMask), 0);
        NDArray bothPositions = NDArrays.concat(new NDList(positions, positions), 0);
        NDArray logits = model.transformer()
                .forward(
                        both,
                        bothMask,
                        bothPositions,
                        null,
                        hooks,
                        new HookSite(concat(site.rowOffsets()), concat(site.promptLengths()), site.step()));
        NDArray cond = logits.get(new NDIndex("0:{}", b));
        NDArray uncond = logits.get(new NDIndex("{}:", b));
        return uncond.add(cond.sub(uncond).mul(p.cfgScale() + 1));
    }

    /** Picks this step's positions for one row and writes their tokens into {@code x}. */
    private TrajectoryStep select(
            long[] x,
            int row,
            float[] blockLogits,
            int v,
            int start,
            int end,
            int promptEnd,
            int pad,
            int[] schedule,
            int stepInBlock,
            DiffusionParams p,
            long[] reference,
            int globalStep,
            int block,
            float[] entropies,
            int entropyFrom,
            SplittableRandom random) {
        int length = end - start;
        int[] masked = maskedIn(x, start, end);
        long[] choice = new long[length];
        float[] confidence = new float[length];
        for (int j : masked) {
            int offset = (row * length + j - start) * v;
            float[] logits = Arrays.copyOfRange(blockLogits, offset, offset + v);
            double logZ = logSumExp(logits);
            int token;
            if (reference != null) {
                token = (int) reference[j - promptEnd];
            } else if (p.temperature() > 0) {
                token = gumbelArgmax(logits, p.temperature(), random);
            } else {
                token = argmax(logits);
            }
            choice[j - start] = token;
            confidence[j - start] = p.remasking() == DiffusionParams.Remasking.RANDOM && reference == null
                    ? (float) random.nextDouble()
                    : (float) Math.exp(logits[token] - logZ);
        }
        List<Integer> keep = new ArrayList<>();
        Integer[] byConfidence = Arrays.stream(masked).boxed().toArray(Integer[]::new);
        Arrays.sort(byConfidence, (a, c) -> Float.compare(confidence[c - start], confidence[a - start]));
        if (p.threshold() != null && reference == null) {
            for (int j : byConfidence) {
                if (confidence[j - start] > p.threshold() || keep.isEmpty()) {
                    keep.add(j);
                }
            }
        } else {
            int n = Math.min(schedule[Math.min(stepInBlock, schedule.length - 1)], byConfidence.length);
            if (stepInBlock == schedule.length - 1) {
                n = byConfidence.length; // the block's last step fills whatever is left
            }
            keep.addAll(Arrays.asList(byConfidence).subList(0, n));
        }
        keep.sort(Integer::compare);
        int[] positions = new int[keep.size()];
        long[] tokens = new long[keep.size()];
        float[] confidences = new float[keep.size()];
        for (int k = 0; k < keep.size(); k++) {
            int j = keep.get(k);
            x[j] = choice[j - start];
            positions[k] = j - pad;
            tokens[k] = choice[j - start];
            confidences[k] = confidence[j - start];
        }
        int[] stillMasked = null;
        float[] maskedEntropy = null;
        if (entropies != null) {
            int width = x.length - entropyFrom;
            List<Integer> open = new ArrayList<>();
            for (int j = entropyFrom; j < x.length; j++) {
                if (x[j] == maskId || contains(positions, j - pad)) {
                    open.add(j);
                }
            }
            stillMasked = new int[open.size()];
            maskedEntropy = new float[open.size()];
            for (int k = 0; k < open.size(); k++) {
                stillMasked[k] = open.get(k) - pad;
                maskedEntropy[k] = entropies[row * width + open.get(k) - entropyFrom];
            }
        }
        return new TrajectoryStep(globalStep, block, positions, tokens, confidences, stillMasked, maskedEntropy);
    }

    /** LLaDA's schedule: a block's masked count spread over its steps, the first steps taking the remainder. */
    int[][] transferSchedule(long[][] x, int start, int end, int steps) {
        int[][] out = new int[x.length][steps];
        for (int r = 0; r < x.length; r++) {
            int count = maskedIn(x[r], start, end).length;
            int base = count / steps;
            int remainder = count % steps;
            for (int s = 0; s < steps; s++) {
                out[r][s] = base + (s < remainder ? 1 : 0);
            }
        }
        return out;
    }

    /** Entropy in nats of each position's predictive distribution, (B·T) flattened from logits (B, T, V). */
    private static float[] entropies(NDArray logits) {
        NDArray logp = logits.logSoftmax(-1);
        return logp.exp().mul(logp).sum(new int[] {-1}).neg().toFloatArray();
    }

    private boolean anyMasked(long[][] x, int start, int end) {
        for (long[] row : x) {
            for (int i = start; i < end; i++) {
                if (row[i] == maskId) {
                    return true;
                }
            }
        }
        return false;
    }

    private int[] maskedIn(long[] x, int start, int end) {
        return java.util.stream.IntStream.range(start, end)
                .filter(i -> x[i] == maskId)
                .toArray();
    }

    private String text(long[] response) {
        int cut = response.length;
        for (int i = 0; i < response.length; i++) {
            if (model.tokenizer().specials().eosIds().contains(response[i])) {
                cut = i;
                break;
            }
        }
        return model.tokenizer().decode(Arrays.copyOf(response, cut), true);
    }

    private static long[] flatten(long[][] x, int from) {
        int t = x[0].length - from;
        long[] out = new long[x.length * t];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(x[r], from, out, r * t, t);
        }
        return out;
    }

    private static int[] offsets(int[] pads, int from) {
        return Arrays.stream(pads).map(pad -> from - pad).toArray();
    }

    private static int[] promptLengths(List<long[]> prompts) {
        return prompts.stream().mapToInt(prompt -> prompt.length).toArray();
    }

    private static int[] concat(int[] a) {
        if (a == null) {
            return null;
        }
        int[] out = Arrays.copyOf(a, a.length * 2);
        System.arraycopy(a, 0, out, a.length, a.length);
        return out;
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** LLaDA's noise: argmax of exp(logits) / (−log u)^T, i.e. of logits − T·log(−log u). */
    private static int gumbelArgmax(float[] logits, double temperature, SplittableRandom random) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            double u = random.nextDouble();
            double value = logits[i] - temperature * Math.log(-Math.log(u));
            if (value > bestValue) {
                bestValue = value;
                best = i;
            }
        }
        return best;
    }

    private static double logSumExp(float[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : values) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }
}

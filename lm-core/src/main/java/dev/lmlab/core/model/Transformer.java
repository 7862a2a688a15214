package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.kernel.CpuDecoder;
import java.util.Optional;

/**
 * The decoder every supported family shares: pre-norm blocks of grouped-query attention with rotary positions
 * and a SwiGLU MLP, RMSNorm throughout. Families differ only in flags of {@link ModelConfig}: q/k/v biases
 * (Qwen2), per-head q/k norms (Qwen3), causal or bidirectional attention (LLaDA), tied head.
 *
 * <p>Shapes: B batch, T tokens in this call, S = cached + T key positions, D model width, H query heads, G = H
 * / Hkv queries per key head, K head width, F MLP width, V vocabulary.
 *
 * <p>Memory: every intermediate lives in a sub-manager of the input's manager and is freed when the call ends;
 * only the logits are returned, attached to the input's manager. (Autograd keeps what backward needs on its
 * own, so training can free intermediates the same way.)
 */
public final class Transformer {

    private static final float MASKED = -3.4028235e38f; // float32's lowest: masked logits, never NaN

    private final ModelConfig config;
    private final ModelWeights weights;
    private final RotaryTable rotary;
    private final NDArray attentionScale; // 1/sqrt(K), a 0-dim engine-owned tensor (see Scalars), made once
    private Optional<CpuDecoder> cpuDecoder; // null until first asked for

    public Transformer(ModelConfig config, ModelWeights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.rotary = new RotaryTable(config, manager);
        this.attentionScale = manager.full(
                new Shape(),
                (float) (1.0 / Math.sqrt(config.headDim())),
                weights.embed().getDataType());
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** The weights' and activations' type: float32, or float16 with float32 norms, softmax and logits. */
    public DataType dtype() {
        return weights.embed().getDataType();
    }

    /**
     * The Vector-API decode path for this model's current weights, built on first use (it copies the weights);
     * empty on a GPU, for masked-diffusion models, or without the Vector API module.
     */
    public synchronized Optional<CpuDecoder> cpuDecoder() {
        if (cpuDecoder == null) {
            cpuDecoder = weights.embed().getDevice().isGpu() || dtype() != DataType.FLOAT32
                    ? Optional.empty()
                    : CpuDecoder.create(config, weights);
        }
        return cpuDecoder;
    }

    /**
     * Call after changing the weights in place (an optimizer step) before generating again: the CPU decode path
     * holds a copy of the weights and takes a fresh one next time.
     */
    public void weightsUpdated() {
        releaseCpuDecoder();
    }

    /** Drops the CPU decode path's weight copy and stops its threads; the next decode builds a fresh one. */
    public synchronized void releaseCpuDecoder() {
        if (cpuDecoder != null) {
            cpuDecoder.ifPresent(CpuDecoder::close);
            cpuDecoder = null;
        }
    }

    /**
     * One forward pass.
     *
     * @param ids (B, T) token ids, INT64
     * @param attentionMask (B, S) 1 where a key position holds a real token, 0 for padding; null when no row is
     *     padded. S covers the cached positions too.
     * @param positions (B, T) absolute positions; null means cached + 0..T-1 for every row
     * @param cache earlier keys and values, extended by this call; null for a cacheless pass
     * @return logits (B, T, V), attached to ids' manager
     */
    public NDArray forward(
            NDArray ids, NDArray attentionMask, NDArray positions, KvCache cache, Hooks hooks, HookSite site) {
        NDManager caller = ids.getManager();
        try (NDManager scope = caller.newSubManager()) {
            int b = (int) ids.getShape().get(0);
            int t = (int) ids.getShape().get(1);
            int past = cache == null ? 0 : cache.length();
            NDArray pos = positions != null ? positions : defaultPositions(scope, b, t, past);
            int maxPosition = positions != null ? (int) positions.max().getLong() : past + t - 1;
            NDArray mask = attentionMask(scope, attentionMask, b, t, past);

            // embed: torch.embedding, whose backward accumulates deterministically (advanced indexing's does not,
            // which made two identical training runs drift apart in the embedding's gradient)
            NDArray x = Embedding.embedding(ids, weights.embed(), SparseFormat.DENSE)
                    .singletonOrThrow(); // (B, T, D)
            x.attach(scope);
            x = hook(hooks, HookPoints.HOOK_EMBED, x, site);

            for (int l = 0; l < config.numLayers(); l++) {
                x = block(l, x, pos, maxPosition, mask, cache, hooks, site);
            }
            if (cache != null) {
                cache.advance(t);
            }

            // final norm and unembedding
            x = rmsNorm(x, weights.finalNorm());
            x = hook(hooks, HookPoints.LN_FINAL, x, site);
            NDArray logits = linear(x, weights.lmHead(), null); // (B, T, V)
            if (logits.getDataType() != DataType.FLOAT32) {
                logits = logits.toType(DataType.FLOAT32, false);
            }
            if (config.embeddingRows() > config.vocabSize()) {
                logits = logits.get(new NDIndex("..., :{}", config.vocabSize()));
            }
            logits.attach(caller);
            return logits;
        }
    }

    /** A cacheless forward over whole sequences with no padding and no hooks. */
    public NDArray forward(NDArray ids) {
        return forward(ids, null, null, null, Hooks.NONE, HookSite.PROMPT);
    }

    private NDArray block(
            int l, NDArray x, NDArray pos, int maxPosition, NDArray mask, KvCache cache, Hooks hooks, HookSite site) {
        ModelWeights.Layer w = weights.layers().get(l);
        x = hook(hooks, HookPoints.residPre(l), x, site);

        // attention
        NDArray h = rmsNorm(x, w.inputNorm()); // (B, T, D)
        NDArray attn = attention(l, w, h, pos, maxPosition, mask, cache); // (B, T, D)
        attn = hook(hooks, HookPoints.block(l, HookPoints.ATTN_OUT), attn, site);
        x = x.add(attn);
        x = hook(hooks, HookPoints.block(l, HookPoints.RESID_MID), x, site);

        // MLP: down(silu(gate(h)) * up(h))
        NDArray h2 = rmsNorm(x, w.postNorm()); // (B, T, D)
        NDArray gate = linear(h2, w.gate(), null); // (B, T, F)
        NDArray up = linear(h2, w.up(), null); // (B, T, F)
        NDArray mlp = linear(gate.mul(Activation.sigmoid(gate)).mul(up), w.down(), null); // (B, T, D)
        mlp = hook(hooks, HookPoints.block(l, HookPoints.MLP_OUT), mlp, site);
        x = x.add(mlp);
        return hook(hooks, HookPoints.residPost(l), x, site);
    }

    private NDArray attention(
            int l, ModelWeights.Layer w, NDArray h, NDArray pos, int maxPosition, NDArray mask, KvCache cache) {
        long b = h.getShape().get(0);
        long t = h.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int k = config.headDim();

        // project to heads
        NDArray q = linear(h, w.q(), w.qBias()).reshape(b, t, heads, k); // (B, T, H, K)
        NDArray key = linear(h, w.k(), w.kBias()).reshape(b, t, kvHeads, k); // (B, T, Hkv, K)
        NDArray value = linear(h, w.v(), w.vBias()).reshape(b, t, kvHeads, k); // (B, T, Hkv, K)
        if (config.qkNorm()) {
            q = rmsNorm(q, w.qNorm());
            key = rmsNorm(key, w.kNorm());
        }
        q = q.transpose(0, 2, 1, 3); // (B, H, T, K)
        key = key.transpose(0, 2, 1, 3); // (B, Hkv, T, K)
        value = value.transpose(0, 2, 1, 3); // (B, Hkv, T, K)

        // rotary positions, then the cache
        q = rotary.apply(q, pos, maxPosition);
        key = rotary.apply(key, pos, maxPosition);
        if (cache != null) {
            NDArray[] all = cache.append(l, key, value);
            key = all[0]; // (B, Hkv, S, K)
            value = all[1]; // (B, Hkv, S, K)
        }
        long s = key.getShape().get(2);

        // scaled dot-product attention, query groups sharing each key/value head
        // with one query head per key head (G = 1) plain 4-D batched products do; grouped queries go 5-D, the
        // key/value heads broadcast over their G queries (broadcasting costs a copy of K and V, so only then)
        int g = config.groupSize();
        NDArray scaled = q.mul(attentionScale); // (B, H, T, K)
        NDArray scores = g == 1
                ? scaled.matMul(key.transpose(0, 1, 3, 2)) // (B, H, T, S)
                : scaled.reshape(b, kvHeads, g, t, k)
                        .matMul(key.transpose(0, 1, 3, 2).expandDims(2)); // (B, Hkv, G, T, S)
        // mask and softmax in float32 whatever the weights' type: float16 has no room for the mask value
        if (scores.getDataType() != DataType.FLOAT32) {
            scores = scores.toType(DataType.FLOAT32, false);
        }
        if (mask != null) {
            scores = scores.add(g == 1 ? mask.squeeze(1) : mask); // mask (B, 1, T, S) or (B, 1, 1, T, S)
        }
        NDArray probs = scores.softmax(-1);
        if (probs.getDataType() != value.getDataType()) {
            probs = probs.toType(value.getDataType(), false);
        }
        NDArray out = g == 1
                ? probs.matMul(value) // (B, H, T, K)
                : probs.matMul(value.expandDims(2)); // (B, Hkv, G, T, K)
        out = out.reshape(b, heads, t, k).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * k); // (B, T, H·K)
        assert s >= t;
        return linear(out, w.o(), null); // (B, T, D)
    }

    /** Additive mask (B, 1, 1, T, S): 0 where a query may attend a key, float32's lowest where not. */
    private NDArray attentionMask(NDManager scope, NDArray keyMask, int b, int t, int past) {
        int s = past + t;
        boolean causal = config.causal() && t > 1;
        if (!causal && keyMask == null) {
            return null;
        }
        NDArray allowed = null; // (B or 1, T, S) boolean
        if (causal) {
            NDArray keyPos = scope.arange(s).reshape(1, 1, s); // (1, 1, S)
            NDArray queryPos = scope.arange(past, past + t).reshape(1, t, 1); // (1, T, 1)
            allowed = keyPos.lte(queryPos); // (1, T, S)
        }
        if (keyMask != null) {
            if (keyMask.getShape().get(1) != s) {
                throw new IllegalArgumentException(
                        "attention mask covers " + keyMask.getShape().get(1) + " positions; cached + new are " + s);
            }
            NDArray keys = keyMask.toType(DataType.BOOLEAN, false);
            keys.attach(scope);
            keys = keys.reshape(b, 1, s); // (B, 1, S)
            allowed = allowed == null ? keys.broadcast(new Shape(b, t, s)) : allowed.logicalAnd(keys);
        }
        // (1 - allowed) · lowest: 0 where allowed, float32's lowest where not
        NDArray additive = allowed.toType(DataType.FLOAT32, false).neg().add(1).mul(MASKED);
        return additive.reshape(allowed.getShape().get(0), 1, 1, t, s);
    }

    private static NDArray defaultPositions(NDManager scope, int b, int t, int past) {
        return scope.arange(past, past + t)
                .toType(DataType.INT64, false)
                .reshape(1, t)
                .repeat(0, b); // (B, T)
    }

    /** RMSNorm over the last axis: {@code x / sqrt(mean(x²) + eps) · w}, the statistics in float32. */
    NDArray rmsNorm(NDArray x, NDArray w) {
        DataType type = x.getDataType();
        boolean wide = type == DataType.FLOAT32; // float32 in: no conversions (each would be a node in the graph)
        NDArray x32 = wide ? x : x.toType(DataType.FLOAT32, false);
        NDArray meanSquare = x32.square().mean(new int[] {-1}, true);
        NDArray normed = x32.div(meanSquare.add((float) config.rmsNormEps()).sqrt());
        return (wide ? normed : normed.toType(type, false)).mul(w);
    }

    /** {@code x · Wᵀ + bias} without materialising the transpose. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    private static NDArray hook(Hooks hooks, String point, NDArray x, HookSite site) {
        if (!hooks.active(point)) {
            return x;
        }
        // interventions carry float32 vectors; the stream keeps the model's type
        return hooks.at(point, x, site).toType(x.getDataType(), false);
    }
}

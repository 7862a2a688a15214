package dev.lmlab.core.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.lmlab.core.checkpoint.CheckpointException;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Top-K sparse autoencoder in SAELens format ({@code cfg.json} and {@code sae_weights.safetensors} with {@code
 * W_enc [d_in, d_sae]}, {@code W_dec [d_sae, d_in]}, {@code b_enc [d_sae]}, {@code b_dec [d_in]}):
 * {@code z = ReLU(TopK(W_enc(x − b_dec) + b_enc))}, {@code x̂ = W_dec z + b_dec}. A plain ReLU SAE (no k) keeps
 * every positive latent.
 *
 * <p>Top-K keeps the latents at or above the k-th largest pre-activation of each position; with continuous
 * values that is exactly k of them (ties, which random data does not produce, would keep a few more).
 */
public final class SparseAutoencoder implements AutoCloseable {

    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae_weights.safetensors";

    private final NDManager manager;
    private final NDArray wEnc; // (D_in, D_sae)
    private final NDArray wDec; // (D_sae, D_in)
    private final NDArray bEnc; // (D_sae)
    private final NDArray bDec; // (D_in)
    private final int k;
    private final boolean applyBDecToInput;
    private final String hookName;

    public SparseAutoencoder(
            NDManager manager,
            NDArray wEnc,
            NDArray wDec,
            NDArray bEnc,
            NDArray bDec,
            int k,
            boolean applyBDecToInput,
            String hookName) {
        this.manager = manager;
        this.wEnc = wEnc;
        this.wDec = wDec;
        this.bEnc = bEnc;
        this.bDec = bDec;
        this.k = k;
        this.applyBDecToInput = applyBDecToInput;
        this.hookName = hookName;
    }

    public static SparseAutoencoder load(Path folder, NDManager parent) {
        Path cfgFile = folder.resolve(CONFIG);
        JsonNode cfg;
        try {
            cfg = JsonMapper.shared().readTree(Files.readString(cfgFile));
        } catch (java.io.IOException e) {
            throw new CheckpointException(cfgFile, "cannot read: " + e.getMessage(), e);
        } catch (tools.jackson.core.JacksonException e) {
            throw new CheckpointException(cfgFile, "is not valid JSON: " + e.getOriginalMessage());
        }
        int dIn = cfg.path("d_in").asInt(0);
        int dSae = cfg.path("d_sae").asInt(0);
        if (dIn <= 0 || dSae <= 0) {
            throw new CheckpointException(
                    cfgFile, "needs positive d_in and d_sae, found " + cfg.path("d_in") + " and " + cfg.path("d_sae"));
        }
        String architecture =
                cfg.path("architecture").asString(cfg.path("activation_fn_str").asString("relu"));
        int k;
        if (architecture.equals("topk")) {
            k = cfg.has("k")
                    ? cfg.get("k").asInt()
                    : cfg.path("activation_fn_kwargs").path("k").asInt(0);
            if (k <= 0 || k > dSae) {
                throw new CheckpointException(cfgFile, "a topk SAE needs 0 < k <= d_sae, found k=" + k);
            }
        } else if (architecture.equals("relu") || architecture.equals("standard")) {
            k = dSae;
        } else {
            throw new CheckpointException(
                    cfgFile, "SAE architecture '" + architecture + "' is not supported (topk," + " relu/standard)");
        }
        NDManager manager = parent.newSubManager();
        try (SafetensorsFile weights = SafetensorsFile.open(folder.resolve(WEIGHTS))) {
            NDArray wEnc = load(weights, manager, "W_enc", dIn, dSae);
            NDArray wDec = load(weights, manager, "W_dec", dSae, dIn);
            NDArray bEnc = load(weights, manager, "b_enc", dSae);
            NDArray bDec = load(weights, manager, "b_dec", dIn);
            return new SparseAutoencoder(
                    manager,
                    wEnc,
                    wDec,
                    bEnc,
                    bDec,
                    k,
                    cfg.path("apply_b_dec_to_input").asBoolean(true),
                    cfg.path("hook_name").asString(cfg.path("hook_point").asString(null)));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray load(SafetensorsFile file, NDManager manager, String name, long... shape) {
        if (!java.util.Arrays.equals(file.require(name).shape(), shape)) {
            throw new CheckpointException(
                    file.path(),
                    "tensor '" + name + "' has shape " + file.require(name).shapeString() + " but cfg.json implies "
                            + java.util.Arrays.toString(shape));
        }
        return file.load(manager, name);
    }

    /** Writes this SAE as a SAELens folder. */
    public void save(Path folder) {
        ObjectNode cfg = JsonMapper.shared().createObjectNode();
        cfg.put("architecture", k == dSae() ? "standard" : "topk");
        cfg.put("d_in", dIn());
        cfg.put("d_sae", dSae());
        if (k < dSae()) {
            cfg.put("k", k);
            cfg.putObject("activation_fn_kwargs").put("k", k);
            cfg.put("activation_fn_str", "topk");
        }
        cfg.put("apply_b_dec_to_input", applyBDecToInput);
        cfg.put("dtype", "float32");
        if (hookName != null) {
            cfg.put("hook_name", hookName);
        }
        try {
            Files.createDirectories(folder);
            Files.writeString(
                    folder.resolve(CONFIG),
                    JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        new SafetensorsWriter()
                .add("W_enc", wEnc)
                .add("W_dec", wDec)
                .add("b_enc", bEnc)
                .add("b_dec", bDec)
                .write(folder.resolve(WEIGHTS));
    }

    public int dIn() {
        return (int) wEnc.getShape().get(0);
    }

    public int dSae() {
        return (int) wEnc.getShape().get(1);
    }

    public int k() {
        return k;
    }

    public String hookName() {
        return hookName;
    }

    /** Latents z (…, D_sae) of activations x (…, D_in); the result belongs to x's manager. */
    public NDArray encode(NDArray x) {
        NDArray input = applyBDecToInput ? x.sub(bDec) : x;
        NDArray pre = input.matMul(wEnc).add(bEnc); // (…, D_sae)
        NDArray positive = pre.maximum(0f);
        if (k >= dSae()) {
            return positive;
        }
        NDArray kth = pre.topK(k, -1, true, false).get(0).min(new int[] {-1}, true); // (…, 1)
        return positive.mul(pre.gte(kth).toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
    }

    /** Reconstructions x̂ (…, D_in) of latents z. */
    public NDArray decode(NDArray z) {
        return z.matMul(wDec).add(bDec);
    }

    public NDArray reconstruct(NDArray x) {
        return decode(encode(x));
    }

    /** The decoder direction of one latent (a feature), (D_in). */
    public NDArray decoderDirection(int latent) {
        return wDec.get(new NDIndex("{}, :", latent));
    }

    @Override
    public void close() {
        manager.close();
    }
}

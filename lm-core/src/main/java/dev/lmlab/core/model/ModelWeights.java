package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.CheckpointException;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.checkpoint.WeightStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every parameter of a decoder in one place, in the checkpoint's layout: projection weights are {@code [out,
 * in]} (applied with {@code linear}, which multiplies by the transpose without copying), norms are vectors.
 * {@link #named()} maps checkpoint names to the same arrays, for saving and for training.
 */
public final class ModelWeights {

    /**
     * One block's parameters; biases, q/k norms are null where the family has none.
     *
     * @param q (H·K, D)
     * @param k (Hkv·K, D)
     * @param v (Hkv·K, D)
     * @param o (D, H·K)
     * @param gate (F, D)
     * @param up (F, D)
     * @param down (D, F)
     */
    public record Layer(
            NDArray inputNorm,
            NDArray q,
            NDArray qBias,
            NDArray k,
            NDArray kBias,
            NDArray v,
            NDArray vBias,
            NDArray o,
            NDArray qNorm,
            NDArray kNorm,
            NDArray postNorm,
            NDArray gate,
            NDArray up,
            NDArray down) {}

    private final NDArray embed; // (V, D)
    private final List<Layer> layers;
    private final NDArray finalNorm; // (D)
    private final NDArray lmHead; // (V, D), the embedding itself when tied
    private final Map<String, NDArray> named;

    private ModelWeights(
            NDArray embed, List<Layer> layers, NDArray finalNorm, NDArray lmHead, Map<String, NDArray> named) {
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.named = Collections.unmodifiableMap(named);
    }

    public NDArray embed() {
        return embed;
    }

    public List<Layer> layers() {
        return layers;
    }

    public NDArray finalNorm() {
        return finalNorm;
    }

    public NDArray lmHead() {
        return lmHead;
    }

    /** Checkpoint name → parameter, in a stable order (a tied head appears once, as the embedding). */
    public Map<String, NDArray> named() {
        return named;
    }

    /** The shape every parameter must have under {@code config}, by checkpoint name. */
    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        WeightNaming n = WeightNaming.of(c);
        long d = c.hiddenSize();
        long qOut = (long) c.numHeads() * c.headDim();
        long kvOut = (long) c.numKvHeads() * c.headDim();
        long f = c.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(n.embed(), new long[] {c.embeddingRows(), d});
        for (int l = 0; l < c.numLayers(); l++) {
            shapes.put(n.inputNorm(l), new long[] {d});
            shapes.put(n.q(l) + ".weight", new long[] {qOut, d});
            shapes.put(n.k(l) + ".weight", new long[] {kvOut, d});
            shapes.put(n.v(l) + ".weight", new long[] {kvOut, d});
            if (c.attentionBias()) {
                shapes.put(n.q(l) + ".bias", new long[] {qOut});
                shapes.put(n.k(l) + ".bias", new long[] {kvOut});
                shapes.put(n.v(l) + ".bias", new long[] {kvOut});
            }
            shapes.put(n.o(l) + ".weight", new long[] {d, qOut});
            if (c.qkNorm()) {
                shapes.put(n.qNorm(l), new long[] {c.headDim()});
                shapes.put(n.kNorm(l), new long[] {c.headDim()});
            }
            shapes.put(n.postNorm(l), new long[] {d});
            shapes.put(n.gate(l) + ".weight", new long[] {f, d});
            shapes.put(n.up(l) + ".weight", new long[] {f, d});
            shapes.put(n.down(l) + ".weight", new long[] {d, f});
        }
        shapes.put(n.finalNorm(), new long[] {d});
        if (!c.tieWordEmbeddings()) {
            shapes.put(n.lmHead(), new long[] {c.embeddingRows(), d});
        }
        return shapes;
    }

    /**
     * Loads every parameter from {@code store} into {@code manager}. Missing tensors, tensors the architecture
     * does not use, and shapes that disagree with the config are errors that name the tensor.
     */
    public static ModelWeights load(ModelConfig config, WeightStore store, NDManager manager) {
        return load(config, store, manager, DataType.FLOAT32);
    }

    /**
     * As {@link #load(ModelConfig, WeightStore, NDManager)}, each tensor converted to {@code dtype} as it is read
     * (float16 halves GPU memory; only one tensor is ever held in float32 on the way).
     */
    public static ModelWeights load(ModelConfig config, WeightStore store, NDManager manager, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights load as float32 or float16, not " + dtype);
        }
        Map<String, long[]> expected = expectedShapes(config);
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!store.has(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(
                    store.folder(),
                    "is missing " + missing.size() + " tensor(s) a "
                            + config.architecture() + " with this config needs, e.g. " + first(missing)
                            + (config.tieWordEmbeddings()
                                    ? ""
                                    : " (an untied head needs "
                                            + WeightNaming.of(config).lmHead()
                                            + "; set tie_word_embeddings if the embedding doubles as the head)"));
        }
        Set<String> extra = new TreeSet<>(store.names());
        extra.removeAll(expected.keySet());
        extra.removeIf(name -> name.endsWith("rotary_emb.inv_freq"));
        if (config.tieWordEmbeddings()) {
            extra.remove(WeightNaming.of(config).lmHead());
        }
        if (!extra.isEmpty()) {
            throw new CheckpointException(
                    store.folder(),
                    "holds " + extra.size() + " tensor(s) a "
                            + config.architecture() + " does not use, e.g. " + first(new ArrayList<>(extra))
                            + "; is the architecture in config.json right?");
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        expected.forEach((name, shape) -> {
            NDArray loaded = store.load(manager, name, shape);
            if (dtype != DataType.FLOAT32) {
                NDArray converted = loaded.toType(dtype, false);
                loaded.close();
                loaded = converted;
            }
            arrays.put(name, loaded);
        });
        return assemble(config, arrays);
    }

    /**
     * Fresh parameters: projections and embeddings drawn from N(0, std²) with a seeded generator, norms at 1 and
     * biases at 0, as a model is initialised before pretraining.
     */
    public static ModelWeights random(ModelConfig config, NDManager manager, long seed, double std) {
        Random random = new Random(seed);
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        expectedShapes(config).forEach((name, shape) -> {
            int n = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
            float[] values = new float[n];
            boolean norm = shape.length == 1 && !name.endsWith(".bias");
            for (int i = 0; i < n; i++) {
                values[i] = norm ? 1f : name.endsWith(".bias") ? 0f : (float) (random.nextGaussian() * std);
            }
            arrays.put(name, manager.create(values, new Shape(shape)));
        });
        return assemble(config, arrays);
    }

    private static ModelWeights assemble(ModelConfig c, Map<String, NDArray> a) {
        WeightNaming n = WeightNaming.of(c);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            layers.add(new Layer(
                    a.get(n.inputNorm(l)),
                    a.get(n.q(l) + ".weight"),
                    a.get(n.q(l) + ".bias"),
                    a.get(n.k(l) + ".weight"),
                    a.get(n.k(l) + ".bias"),
                    a.get(n.v(l) + ".weight"),
                    a.get(n.v(l) + ".bias"),
                    a.get(n.o(l) + ".weight"),
                    a.get(n.qNorm(l)),
                    a.get(n.kNorm(l)),
                    a.get(n.postNorm(l)),
                    a.get(n.gate(l) + ".weight"),
                    a.get(n.up(l) + ".weight"),
                    a.get(n.down(l) + ".weight")));
        }
        NDArray embed = a.get(n.embed());
        NDArray head = c.tieWordEmbeddings() ? embed : a.get(n.lmHead());
        return new ModelWeights(embed, List.copyOf(layers), a.get(n.finalNorm()), head, a);
    }

    /** Total number of scalar parameters (a tied head counted once). */
    public long parameterCount() {
        return named.values().stream().mapToLong(x -> x.getShape().size()).sum();
    }

    private static String first(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }
}

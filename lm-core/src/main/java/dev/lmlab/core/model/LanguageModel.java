package dev.lmlab.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.checkpoint.WeightStore;
import dev.lmlab.core.compute.ComputeBackend;
import dev.lmlab.core.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face checkpoint folder loaded and ready: config, tokenizer, generation defaults and the decoder with
 * its weights, all owned by one NDManager that {@link #close()} frees.
 */
public final class LanguageModel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LanguageModel.class);

    private final Path folder;
    private final ModelConfig config;
    private final TextTokenizer tokenizer;
    private final GenerationConfig generation;
    private final NDManager manager;
    private final Transformer transformer;

    private LanguageModel(
            Path folder,
            ModelConfig config,
            TextTokenizer tokenizer,
            GenerationConfig generation,
            NDManager manager,
            Transformer transformer) {
        this.folder = folder;
        this.config = config;
        this.tokenizer = tokenizer;
        this.generation = generation;
        this.manager = manager;
        this.transformer = transformer;
    }

    /** Loads onto the process's compute device (see {@link ComputeBackend}). */
    public static LanguageModel load(Path folder) {
        return load(folder, ComputeBackend.get().device());
    }

    public static LanguageModel load(Path folder, Device device) {
        return load(folder, device, DataType.FLOAT32);
    }

    /**
     * Loads with weights in {@code dtype}: float32 (the reference math; the CPU default) or float16 (GPUs). In
     * float16 the norms, softmax and logits are still computed in float32, as transformers does.
     */
    public static LanguageModel load(Path folder, Device device, DataType dtype) {
        long start = System.nanoTime();
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        GenerationConfig generation = GenerationConfig.read(folder);
        List<Integer> eos = new ArrayList<>(config.eosTokenIds());
        eos.addAll(generation.eosTokenIds());
        TextTokenizer tokenizer = TextTokenizer.open(folder, eos);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (WeightStore store = WeightStore.open(folder)) {
            ModelWeights weights = ModelWeights.load(config, store, manager, dtype);
            Transformer transformer = new Transformer(config, weights, manager);
            log.info(
                    "Loaded {} ({}, {} parameters, {}) from {} on {} in {} ms",
                    config.architecture(),
                    config.maskedDiffusion() ? "masked diffusion" : "causal",
                    weights.parameterCount(),
                    dtype,
                    folder,
                    device,
                    (System.nanoTime() - start) / 1_000_000);
            return new LanguageModel(folder, config, tokenizer, generation, manager, transformer);
        } catch (RuntimeException e) {
            manager.close();
            tokenizer.close();
            throw e;
        }
    }

    public Path folder() {
        return folder;
    }

    public ModelConfig config() {
        return config;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public GenerationConfig generation() {
        return generation;
    }

    public Transformer transformer() {
        return transformer;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        transformer.releaseCpuDecoder(); // its threads would outlive an unloaded model otherwise
        manager.close();
        tokenizer.close();
    }
}

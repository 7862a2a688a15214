package dev.lmlab.inference.models;

import ai.djl.ndarray.types.DataType;
import dev.lmlab.core.checkpoint.CheckpointException;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.compute.ComputeBackend;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.InferenceProperties;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.platform.web.ApiException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Registered models are loaded on first use and stay loaded while their estimated weight memory fits in {@code
 * lmlab.inference.memory-budget}; loading one more unloads the least recently used (after their accepted
 * requests finish).
 */
@Component
public class LoadedModels {

    private static final Logger log = LoggerFactory.getLogger(LoadedModels.class);

    private final ModelCatalog catalog;
    private final InferenceProperties properties;
    private final DataType dtype;
    // access order: the first entry is the least recently used
    private final LinkedHashMap<String, Loaded> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Object> loadLocks = new java.util.concurrent.ConcurrentHashMap<>();

    /** A model in memory, with the thread that runs it and its estimated footprint. */
    public record Loaded(String id, ModelWorker worker, long bytes) {}

    private final MeterRegistry meters;

    public LoadedModels(ModelCatalog catalog, InferenceProperties properties, MeterRegistry meters) {
        this.catalog = catalog;
        this.meters = meters;
        this.properties = properties;
        this.dtype = switch (properties.dtype().toLowerCase()) {
            case "float32", "f32" -> DataType.FLOAT32;
            case "float16", "f16" -> DataType.FLOAT16;
            default ->
                throw new IllegalStateException(
                        "lmlab.inference.dtype must be float32 or float16, got '" + properties.dtype() + "'");
        };
    }

    /** The worker of model {@code id}, loading it first if need be. */
    public ModelWorker worker(String id) {
        Loaded broken = null;
        synchronized (this) {
            Loaded l = loaded.get(id);
            if (l != null && l.worker().serving()) {
                return l.worker();
            }
            if (l != null) {
                broken = loaded.remove(id);
            }
        }
        if (broken != null) {
            log.warn("The worker of model '{}' had stopped; loading the model again", id);
            broken.worker().close();
        }
        RegisteredModel model = catalog.get(id);
        // one load per id at a time; other models stay usable meanwhile
        synchronized (loadLocks.computeIfAbsent(id, k -> new Object())) {
            synchronized (this) {
                Loaded l = loaded.get(id);
                if (l != null) {
                    return l.worker();
                }
            }
            ModelConfig config = ModelConfig.read(catalog.folder(model).resolve("config.json"));
            long bytes = estimateBytes(config);
            if (bytes > properties.memoryBudget().toBytes()) {
                throw ApiException.badRequest(
                                "model-too-large",
                                "model '" + id + "' needs about " + bytes / (1 << 20) + " MiB, more than the whole"
                                        + " budget of "
                                        + properties.memoryBudget().toMegabytes()
                                        + " MiB (lmlab.inference.memory-budget)")
                        .with("estimated_bytes", bytes);
            }
            makeRoom(bytes);
            LanguageModel lm;
            try {
                lm = LanguageModel.load(
                        catalog.folder(model), ComputeBackend.get().device(), dtype);
            } catch (CheckpointException | IllegalArgumentException e) {
                throw ApiException.badRequest(
                        "unloadable-checkpoint", "model '" + id + "' could not be loaded: " + e.getMessage());
            }
            ModelWorker worker = new ModelWorker(
                    id, lm, properties.maxBatchRows(), properties.queueCapacity(), properties.kvCacheBudgetBytes());
            synchronized (this) {
                loaded.put(id, new Loaded(id, worker, bytes));
            }
            Gauge.builder("lmlab.inference.outstanding.requests", worker, ModelWorker::outstanding)
                    .description("requests accepted and not finished: running, waiting to join, queued")
                    .tag("model", id)
                    .register(meters);
            FunctionCounter.builder("lmlab.inference.generated.tokens", worker, ModelWorker::tokensGenerated)
                    .description("tokens generated (rate() gives tokens/s)")
                    .tag("model", id)
                    .register(meters);
            return worker;
        }
    }

    public synchronized Optional<Loaded> ifLoaded(String id) {
        return Optional.ofNullable(loaded.get(id));
    }

    public synchronized List<Loaded> all() {
        return new ArrayList<>(loaded.values());
    }

    /** Unloads {@code id} if loaded: accepted requests finish first, new ones are refused meanwhile. */
    public boolean unload(String id) {
        Loaded l;
        synchronized (this) {
            l = loaded.remove(id);
        }
        if (l == null) {
            return false;
        }
        l.worker().close();
        meters.find("lmlab.inference.outstanding.requests")
                .tag("model", id)
                .meters()
                .forEach(meters::remove);
        meters.find("lmlab.inference.generated.tokens")
                .tag("model", id)
                .meters()
                .forEach(meters::remove);
        log.info("Unloaded model '{}' ({} MiB)", id, l.bytes() / (1 << 20));
        return true;
    }

    /** Weights in the load dtype, plus the float copy the CPU decode kernels keep for causal models. */
    long estimateBytes(ModelConfig config) {
        long params = ModelInfo.parameterCount(config);
        long bytes = params * (dtype == DataType.FLOAT16 ? 2 : 4);
        if (!config.maskedDiffusion()
                && dtype == DataType.FLOAT32
                && !ComputeBackend.get().onGpu()) {
            bytes += params * 4;
        }
        return bytes;
    }

    private void makeRoom(long bytes) {
        while (true) {
            Loaded victim;
            synchronized (this) {
                long used = loaded.values().stream().mapToLong(Loaded::bytes).sum();
                if (used + bytes <= properties.memoryBudget().toBytes() || loaded.isEmpty()) {
                    return;
                }
                victim = loaded.values().iterator().next();
            }
            log.info(
                    "Unloading model '{}' (least recently used) to fit a new one within the memory budget of {} MiB",
                    victim.id(),
                    properties.memoryBudget().toMegabytes());
            unload(victim.id());
        }
    }

    @PreDestroy
    void closeAll() {
        for (Loaded l : all()) {
            unload(l.id());
        }
    }
}

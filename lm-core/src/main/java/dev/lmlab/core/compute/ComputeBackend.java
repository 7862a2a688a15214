package dev.lmlab.core.compute;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the compute device is chosen: PyTorch through DJL, on a CUDA GPU when the CUDA build of libtorch
 * is linked ({@code ./mvnw -Pcuda}) and a GPU answers, on the CPU otherwise. {@code LMLAB_DEVICE=cpu} forces
 * the CPU. Chosen once per process and logged, with a hint when a GPU is present but unused.
 */
public final class ComputeBackend {

    private static final Logger log = LoggerFactory.getLogger(ComputeBackend.class);
    private static volatile ComputeBackend instance;

    private final Engine engine;
    private final Device device;

    private ComputeBackend(Engine engine, Device device) {
        this.engine = engine;
        this.device = device;
    }

    /** The process-wide backend; loads libtorch on first call (offline: from the jar into DJL's cache). */
    public static ComputeBackend get() {
        ComputeBackend b = instance;
        if (b == null) {
            synchronized (ComputeBackend.class) {
                b = instance;
                if (b == null) {
                    b = choose(System.getenv("LMLAB_DEVICE"));
                    instance = b;
                }
            }
        }
        return b;
    }

    static ComputeBackend choose(String requested) {
        Engine engine = Engine.getEngine("PyTorch");
        int gpus = engine.getGpuCount();
        boolean forceCpu =
                requested != null && requested.trim().toLowerCase(Locale.ROOT).equals("cpu");
        Device device = gpus > 0 && !forceCpu ? Device.gpu() : Device.cpu();
        if (gpus == 0 && requested != null && requested.toLowerCase(Locale.ROOT).startsWith("gpu")) {
            log.warn(
                    "LMLAB_DEVICE={} but no CUDA device is usable: this build links the CPU libtorch or no GPU is"
                            + " visible. Build with ./mvnw -Pcuda on a CUDA 12.4 machine to use it.",
                    requested);
        }
        log.info("Compute backend: PyTorch {} on {} ({} GPU(s) visible)", engine.getVersion(), device, gpus);
        return new ComputeBackend(engine, device);
    }

    public Engine engine() {
        return engine;
    }

    public Device device() {
        return device;
    }

    public boolean onGpu() {
        return device.isGpu();
    }

    /** For {@code GET /info} and logs: engine, its version, device and GPU count. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("engine", engine.getEngineName());
        d.put("engine_version", engine.getVersion());
        d.put("device", device.toString());
        d.put("gpu_count", engine.getGpuCount());
        return d;
    }
}

package dev.lmlab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tiny.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The GPU check bench/gpu-check runs on a CUDA machine: for a tiny fixture and the ~100M benchmark models, GPU
 * logits (float32 and float16) against CPU float32 logits, then GPU decode and diffusion-step timings. Prints
 * one table; exits 1 if a tolerance is broken.
 *
 * <p>Tolerances, relative to the largest |logit|: float32 1e-4 (cuBLAS sums in another order), float16 2e-2.
 *
 * <p>usage: GpuCheck fixture-folder bench-folder
 */
public final class GpuCheck {

    private GpuCheck() {}

    public static void main(String[] args) throws Exception {
        Path fixture = Path.of(args.length > 0 ? args[0] : "lm-core/src/test/resources/fixtures/qwen3-tiny");
        Path benchRoot = Path.of(args.length > 1 ? args[1] : "bench/results");
        int gpus = Engine.getInstance().getGpuCount();
        System.out.println("engine " + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + ", GPUs visible: " + gpus);
        if (gpus == 0) {
            System.out.println("no GPU visible to PyTorch: was the build made with -Pcuda, and is a driver present?");
            System.exit(2);
        }
        Path llama = ensure(benchRoot.resolve("llama-100m"), ModelConfig.Family.LLAMA);
        Path llada = ensure(benchRoot.resolve("llada-100m"), ModelConfig.Family.LLADA);
        List<String> rows = new ArrayList<>();
        boolean ok = true;
        for (Path folder : List.of(fixture, llama, llada)) {
            for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
                double error = logitError(folder, dtype);
                double tolerance = dtype == DataType.FLOAT32 ? 1e-4 : 2e-2;
                ok &= error <= tolerance;
                rows.add(String.format(
                        Locale.ROOT,
                        "| logits vs CPU f32 | %s | %s | %.2e (limit %.0e) | %s |",
                        folder.getFileName(),
                        dtype,
                        error,
                        tolerance,
                        error <= tolerance ? "ok" : "FAIL"));
            }
        }
        for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            try (LanguageModel model = LanguageModel.load(llama, Device.gpu(), dtype)) {
                Generator generator = new Generator(model);
                for (int b : new int[] {1, 8}) {
                    List<long[]> prompts = new ArrayList<>();
                    for (int r = 0; r < b; r++) {
                        prompts.add(DecodeBench.randomIds(16, 10 + r));
                    }
                    SamplingParams one = new SamplingParams(1, 0, 0, 1, 1, List.of(), Set.of(-1L), 0, 0);
                    SamplingParams all = new SamplingParams(128, 0, 0, 1, 1, List.of(), Set.of(-1L), 0, 0);
                    double t1 = DecodeBench.median(() -> generator.generate(prompts, one), 2, 3);
                    double tN = DecodeBench.median(() -> generator.generate(prompts, all), 1, 3);
                    rows.add(String.format(
                            Locale.ROOT,
                            "| decode b%d | llama-100m | %s | %.1f tok/s | |",
                            b,
                            dtype,
                            b * 127 / (tN - t1)));
                }
            }
            try (LanguageModel model = LanguageModel.load(llada, Device.gpu(), dtype)) {
                DiffusionDecoder decoder = new DiffusionDecoder(model);
                long[] prompt = DecodeBench.randomIds(32, 3);
                for (boolean cache : new boolean[] {false, true}) {
                    DiffusionParams p = new DiffusionParams(
                            128, 128, 32, DiffusionParams.Remasking.LOW_CONFIDENCE, 0, 0, null, cache, false, 0);
                    double t = DecodeBench.median(() -> decoder.generate(prompt, p), 1, 3);
                    rows.add(String.format(
                            Locale.ROOT,
                            "| diffusion step (gen 128, block 32%s) | llada-100m | %s | %.2f ms/step | |",
                            cache ? ", prefix cache" : "",
                            dtype,
                            t / 128 * 1e3));
                }
            }
        }
        System.out.println();
        System.out.println("| check | model | dtype | result | |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.exit(ok ? 0 : 1);
    }

    /** Largest |GPU − CPU f32| over the logits of a 64-token input, relative to the largest |CPU logit|. */
    static double logitError(Path folder, DataType dtype) {
        long[] ids = DecodeBench.randomIds(64, 5);
        float[] reference;
        float[] logits;
        try (LanguageModel cpu = LanguageModel.load(folder, Device.cpu());
                NDManager m = cpu.manager().newSubManager()) {
            reference = cpu.transformer()
                    .forward(m.create(ids, new Shape(1, ids.length)))
                    .toFloatArray();
        }
        try (LanguageModel gpu = LanguageModel.load(folder, Device.gpu(), dtype);
                NDManager m = gpu.manager().newSubManager()) {
            NDArray x = m.create(ids, new Shape(1, ids.length));
            logits = gpu.transformer().forward(x).toFloatArray();
        }
        double worst = 0;
        double scale = 1e-6;
        for (int i = 0; i < logits.length; i++) {
            worst = Math.max(worst, Math.abs(logits[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return worst / scale;
    }

    private static Path ensure(Path folder, ModelConfig.Family family) {
        if (!Files.exists(folder.resolve("model.safetensors"))) {
            TinyModels.write(folder, family, TinyModels.Size.BENCH_100M, 0, 0.02);
        }
        return folder;
    }
}

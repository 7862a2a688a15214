package dev.lmlab.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tiny.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * lm-core decoding speed on one checkpoint folder, in the protocol bench/hf_decode.py follows for transformers:
 * prefill of 512 tokens at batch 1; greedy decode at batch 1 and 8 (prompts of 16 tokens) where the steady
 * per-step time is (time for N new tokens − time for 1) / (N − 1), so prefill and start-up cancel out; and the
 * weight bandwidth batch-1 decode achieves. Every figure is one {@code RESULT <name> <value>} line, which
 * bench/decode.sh puts side by side with the Python baseline's.
 *
 * <p>usage: DecodeBench folder [new tokens] [repeats]. Run with {@code -Dlmlab.cpu-decode=false} to time the
 * PyTorch (DJL) decode path instead of the Vector-API kernels; the folder is written (Llama-shaped, ~113M
 * parameters) if it holds no checkpoint.
 */
public final class DecodeBench {

    private DecodeBench() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "bench/results/llama-100m");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (!Files.exists(folder.resolve("model.safetensors"))) {
            System.out.println("writing " + folder + " (Llama-shaped, " + TinyModels.Size.BENCH_100M + ")");
            TinyModels.write(folder, ModelConfig.Family.LLAMA, TinyModels.Size.BENCH_100M, 0, 0.02);
        }
        try (LanguageModel model = LanguageModel.load(folder, Device.cpu());
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            long params = model.transformer().weights().parameterCount();
            boolean kernels = model.transformer().cpuDecoder().isPresent();
            System.out.printf(
                    Locale.ROOT,
                    "lm-core: %.2f M params, decode path %s%n",
                    params / 1e6,
                    kernels ? "Vector-API kernels" : "PyTorch");
            result("params", params);
            Generator generator = new Generator(model);

            NDArray prompt512 = m.create(randomIds(512, 1), new Shape(1, 512));
            double prefill = median(() -> model.transformer().forward(prompt512).close(), 1, repeats);
            result("prefill_tok_s", 512 / prefill);

            for (int b : new int[] {1, 8}) {
                List<long[]> prompts = new ArrayList<>();
                for (int r = 0; r < b; r++) {
                    prompts.add(randomIds(16, 10 + r));
                }
                // no stop ids: every row decodes exactly n tokens
                SamplingParams one = new SamplingParams(1, 0, 0, 1, 1, List.of(), Set.of(-1L), 0, 0);
                SamplingParams all = new SamplingParams(n, 0, 0, 1, 1, List.of(), Set.of(-1L), 0, 0);
                double t1 = median(() -> generator.generate(prompts, one), 1, repeats);
                double tN = median(() -> generator.generate(prompts, all), 1, repeats);
                double perStep = (tN - t1) / (n - 1);
                result("decode_b" + b + "_tok_s", b / perStep);
                if (b == 1) {
                    result("decode_b1_weight_gb_s", params * 4 / perStep / 1e9);
                }
            }
        }
    }

    static void result(String name, double value) {
        System.out.printf(Locale.ROOT, "RESULT %s %.3f%n", name, value);
    }

    static long[] randomIds(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 7 + r.nextInt(TinyModels.VOCAB - 7);
        }
        return ids;
    }

    static double median(Runnable fn, int warmup, int repeats) {
        for (int i = 0; i < warmup; i++) {
            fn.run();
        }
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            fn.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}

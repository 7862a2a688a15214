package dev.lmlab.bench;

import ai.djl.Device;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.DiffusionResult;
import dev.lmlab.core.generate.TrajectoryStep;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tiny.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Masked-diffusion decoding cost on one LLaDA-shaped checkpoint: LLaDA's reference schedule (one forward pass
 * per step over the whole sequence) against Fast-dLLM's block-wise prefix cache, confidence-threshold parallel
 * unmasking, and both. For each: forward passes, wall time, response tokens per second, and how many response
 * tokens agree with the reference decoding (the cache is an approximation; the threshold changes the order).
 *
 * <p>How many passes the threshold saves depends on how confident the model is, so the mean confidence of the
 * unmasked tokens is printed too; a randomly initialised model is far less confident than a trained one.
 *
 * <p>Each variant runs {@code rounds} times, the rounds rotating which goes first; times are medians.
 *
 * <p>usage: DiffusionBench folder [gen length] [block length] [threshold] [init std] [rounds]
 */
public final class DiffusionBench {

    private DiffusionBench() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "bench/results/llada-100m");
        int gen = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int block = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        double threshold = args.length > 3 ? Double.parseDouble(args[3]) : 0.9;
        double std = args.length > 4 ? Double.parseDouble(args[4]) : 0.02;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        if (!Files.exists(folder.resolve("model.safetensors"))) {
            System.out.println("writing " + folder + " (LLaDA-shaped, " + TinyModels.Size.BENCH_100M + ")");
            TinyModels.write(folder, ModelConfig.Family.LLADA, TinyModels.Size.BENCH_100M, 0, std);
        }
        try (LanguageModel model = LanguageModel.load(folder, Device.cpu())) {
            DiffusionDecoder decoder = new DiffusionDecoder(model);
            long[] prompt = DecodeBench.randomIds(32, 3);
            System.out.printf(
                    Locale.ROOT,
                    "LLaDA-shaped %.2f M params; prompt 32, gen %d, block %d, steps %d (one token per step)%n",
                    model.transformer().weights().parameterCount() / 1e6,
                    gen,
                    block,
                    gen);
            decoder.generate(prompt, params(gen, block, null, false)); // warm-up
            String[] variants = {"reference", "prefix_cache", "threshold", "threshold_cache"};
            Map<String, double[]> seconds = new LinkedHashMap<>();
            Map<String, DiffusionResult> results = new LinkedHashMap<>();
            for (String variant : variants) {
                seconds.put(variant, new double[rounds]);
            }
            // rounds take turns at which variant goes first: this host's speed drifts over minutes
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < variants.length; i++) {
                    String variant = variants[(i + round) % variants.length];
                    boolean cache = variant.endsWith("cache");
                    Double t = variant.startsWith("threshold") ? threshold : null;
                    long start = System.nanoTime();
                    DiffusionResult r = decoder.generate(prompt, params(gen, block, t, cache));
                    seconds.get(variant)[round] = (System.nanoTime() - start) / 1e9;
                    results.put(variant, r);
                }
            }
            DiffusionResult reference = results.get("reference");
            for (String variant : variants) {
                DiffusionResult r = results.get(variant);
                double[] t = seconds.get(variant);
                Arrays.sort(t);
                double median = t[rounds / 2];
                int same = 0;
                for (int i = 0; i < gen; i++) {
                    same += r.outputIds()[i] == reference.outputIds()[i] ? 1 : 0;
                }
                double confidence = 0;
                int unmasked = 0;
                for (TrajectoryStep s : r.trajectory()) {
                    for (float c : s.confidences()) {
                        confidence += c;
                        unmasked++;
                    }
                }
                DecodeBench.result(variant + "_forward_passes", r.forwardPasses());
                DecodeBench.result(variant + "_seconds", median);
                DecodeBench.result(variant + "_tok_s", gen / median);
                DecodeBench.result(variant + "_agreement", same / (double) gen);
                DecodeBench.result(variant + "_mean_confidence", confidence / unmasked);
            }
        }
    }

    static DiffusionParams params(int gen, int block, Double threshold, boolean cache) {
        return new DiffusionParams(
                gen, gen, block, DiffusionParams.Remasking.LOW_CONFIDENCE, 0, 0, threshold, cache, true, 0);
    }
}

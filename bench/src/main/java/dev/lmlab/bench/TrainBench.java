package dev.lmlab.bench;

import ai.djl.Device;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tiny.TinyModels;
import dev.lmlab.core.train.AdamW;
import dev.lmlab.core.train.MaskedDiffusionObjective;
import dev.lmlab.core.train.Objective;
import dev.lmlab.core.train.PaddedBatch;
import dev.lmlab.core.train.TrainingExample;
import dev.lmlab.core.train.TrainingStep;
import dev.lmlab.core.train.TrajectoryObjective;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One optimizer step of masked-diffusion training through lm-core, timed by phase: the NELBO step (LLaDA SFT) and
 * the TABOM step (trajectory states, window CE, entropy ranking), on a LLaDA-shaped checkpoint. The batch is
 * {@code rows} sequences of {@code length} tokens, the first quarter prompt, the rest response (each response in
 * a random decoding order, one position per step). Prints {@code RESULT <objective>_<figure> <value>} lines that
 * bench/train.sh sets beside bench/torch_train_step.py's, which runs the same step in plain PyTorch.
 *
 * <p>usage: TrainBench folder size(tiny|100m) [rows] [length] [steps] [warmup]
 */
public final class TrainBench {

    private TrainBench() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        TinyModels.Size size = "100m".equals(args[1]) ? TinyModels.Size.BENCH_100M : TinyModels.Size.TINY;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int length = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        if (!Files.exists(folder.resolve("model.safetensors"))) {
            TinyModels.write(folder, ModelConfig.Family.LLADA, size, 0, 0.02);
        }
        List<TrainingExample> examples = batch(rows, length);
        for (String name : new String[] {"nelbo", "tabom"}) {
            // a fresh copy of the weights for each objective, so both start from the same state
            try (LanguageModel model = LanguageModel.load(folder, Device.cpu())) {
                Objective objective = name.equals("nelbo")
                        ? new MaskedDiffusionObjective(TinyModels.MASK, true)
                        : new TrajectoryObjective(
                                TinyModels.MASK, 32, 1.0, TrajectoryObjective.RankForm.LOGISTIC, 1.0, 0);
                var parameters = model.transformer().weights().named();
                TrainingStep step = new TrainingStep(
                        model.transformer(),
                        parameters,
                        AdamW.standard(parameters, model.manager(), 0.0),
                        objective,
                        1.0);
                PaddedBatch padded = PaddedBatch.of(examples, TinyModels.PAD);
                double[] forward = new double[steps];
                double[] backward = new double[steps];
                double[] optimizer = new double[steps];
                double[] total = new double[steps];
                for (int s = 0; s < warmup + steps; s++) {
                    TrainingStep.Report r = step.run(List.of(padded), 1e-5, new SplittableRandom(s));
                    if (s >= warmup) {
                        int i = s - warmup;
                        forward[i] = r.forwardNanos() / 1e6;
                        backward[i] = r.backwardNanos() / 1e6;
                        optimizer[i] = r.optimizerNanos() / 1e6;
                        total[i] = r.totalNanos() / 1e6;
                    }
                }
                double stepMs = median(total);
                result(name + "_step_ms", stepMs);
                result(name + "_forward_ms", median(forward));
                result(name + "_backward_ms", median(backward));
                result(name + "_optimizer_ms", median(optimizer));
                result(name + "_tokens_per_s", rows * length / (stepMs / 1000));
                System.out.printf(
                        Locale.ROOT,
                        "lm-core %s: %.2f M params, %d x %d tokens, %d timed steps after %d warm-up%n",
                        name,
                        model.transformer().weights().parameterCount() / 1e6,
                        rows,
                        length,
                        steps,
                        warmup);
            }
        }
    }

    /** Rows of random ids (never a special token), a quarter prompt, each response in a random order. */
    static List<TrainingExample> batch(int rows, int length) {
        SplittableRandom random = new SplittableRandom(7);
        int prompt = length / 4;
        List<TrainingExample> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            long[] ids = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = TinyModels.SPECIALS.size() + random.nextInt(TinyModels.VOCAB - TinyModels.SPECIALS.size());
            }
            int[] order = new int[length - prompt];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            out.add(new TrainingExample(
                    Arrays.copyOfRange(ids, 0, prompt), Arrays.copyOfRange(ids, prompt, length), order));
        }
        return out;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void result(String name, double value) {
        System.out.printf(Locale.ROOT, "RESULT %s %.3f%n", name, value);
    }
}

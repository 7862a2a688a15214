package dev.lmlab.bench;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.sae.TopKSaeConfig;
import dev.lmlab.core.sae.TopKSaeTrainer;
import java.util.Locale;
import java.util.Random;

/**
 * Top-K SAE training steps through lm-core's {@link TopKSaeTrainer}, timed by phase (selection, forward, backward,
 * optimizer). Gaussian activations, four batches in turn; no latent dies within a run (the threshold is 10M
 * tokens), so AuxK is idle, as in bench/torch_sae_step.py, which runs the same step in plain PyTorch. Prints {@code
 * RESULT sae_<figure> <value>} lines for bench/sae.sh.
 *
 * <p>usage: SaeBench d_in d_sae k batch [steps] [warmup]
 */
public final class SaeBench {

    private SaeBench() {}

    public static void main(String[] args) {
        int dIn = Integer.parseInt(args[0]);
        int dSae = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 3;

        Random random = new Random(0);
        float[][][] data = new float[4][batch][dIn];
        for (float[][] rows : data) {
            for (float[] row : rows) {
                for (int j = 0; j < dIn; j++) {
                    row[j] = (float) random.nextGaussian();
                }
            }
        }
        TopKSaeConfig config =
                TopKSaeConfig.defaults(dIn, dSae, k).withLearningRate(2e-4).withBDecInit(TopKSaeConfig.MEAN);
        double[] select = new double[steps];
        double[] forward = new double[steps];
        double[] backward = new double[steps];
        double[] optimizer = new double[steps];
        double[] total = new double[steps];
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                TopKSaeTrainer trainer = TopKSaeTrainer.create(config, manager, data[0])) {
            for (int s = 0; s < warmup + steps; s++) {
                long start = System.nanoTime();
                trainer.step(data[s % data.length]);
                long elapsed = System.nanoTime() - start;
                if (s >= warmup) {
                    int i = s - warmup;
                    TopKSaeTrainer.Phases p = trainer.lastPhases();
                    select[i] = p.selectNanos() / 1e6;
                    forward[i] = p.forwardNanos() / 1e6;
                    backward[i] = p.backwardNanos() / 1e6;
                    optimizer[i] = p.optimizerNanos() / 1e6;
                    total[i] = elapsed / 1e6; // the whole call, Java-side copies included
                }
            }
        }
        double stepMs = TrainBench.median(total);
        result("sae_select_ms", TrainBench.median(select));
        result("sae_forward_ms", TrainBench.median(forward));
        result("sae_backward_ms", TrainBench.median(backward));
        result("sae_optimizer_ms", TrainBench.median(optimizer));
        result("sae_step_ms", stepMs);
        result("sae_tokens_per_s", batch / (stepMs / 1000));
        System.out.printf(
                Locale.ROOT,
                "lm-core: d_in %d, d_sae %d, k %d, batch %d, %d timed steps after %d warm-up%n",
                dIn,
                dSae,
                k,
                batch,
                steps,
                warmup);
    }

    private static void result(String name, double value) {
        System.out.printf(Locale.ROOT, "RESULT %s %.3f%n", name, value);
    }
}

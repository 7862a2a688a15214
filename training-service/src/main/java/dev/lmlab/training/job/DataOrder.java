package dev.lmlab.training.job;

import dev.lmlab.core.train.TrainingExample;
import dev.lmlab.core.util.Permutations;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which examples each step trains on, as a pure function of the seed and the step: the dataset is read as an
 * endless stream of epochs, each a fresh seeded permutation, and step s takes the next batch × accumulation
 * examples of it. A resumed job therefore continues with exactly the data it would have seen, without storing any
 * data-loader state.
 */
final class DataOrder {

    private final List<TrainingExample> examples;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] cachedPermutation;

    DataOrder(List<TrainingExample> examples, long seed) {
        this.examples = examples;
        this.seed = seed;
    }

    /** Optimizer steps for the job: {@code maxSteps} when given, else enough for {@code epochs} passes. */
    static long totalSteps(int size, int batch, int accumulation, int epochs, Integer maxSteps) {
        if (maxSteps != null) {
            return maxSteps;
        }
        long perStep = (long) batch * accumulation;
        return Math.max(1, (epochs * (long) size + perStep - 1) / perStep);
    }

    /** The randomness of step {@code step} (masking rates, cut steps): independent of what ran before. */
    static SplittableRandom random(long seed, long step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xC2B2AE3D27D4EB4FL + 1);
    }

    /** The micro-batches of step {@code step}. */
    List<List<TrainingExample>> step(long step, int batch, int accumulation) {
        long start = step * batch * (long) accumulation;
        List<List<TrainingExample>> micro = new ArrayList<>(accumulation);
        for (int k = 0; k < accumulation; k++) {
            List<TrainingExample> rows = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                rows.add(at(start + (long) k * batch + i));
            }
            micro.add(rows);
        }
        return micro;
    }

    /** The epoch position {@code position} falls in. */
    long epochOf(long position) {
        return position / examples.size();
    }

    private TrainingExample at(long position) {
        int epoch = Math.toIntExact(epochOf(position));
        if (epoch != cachedEpoch) {
            cachedPermutation = permutation(examples.size(), seed, epoch);
            cachedEpoch = epoch;
        }
        return examples.get(cachedPermutation[(int) (position % examples.size())]);
    }

    static int[] permutation(int n, long seed, int epoch) {
        return Permutations.of(n, new SplittableRandom(seed * 31 + epoch * 0x9E3779B97F4A7C15L));
    }
}

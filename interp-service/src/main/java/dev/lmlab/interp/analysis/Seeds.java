package dev.lmlab.interp.analysis;

/**
 * Independent seeds for the analysis' random streams (bootstrap per level, each held-out split), all drawn from the
 * one seed in the options, so that adding a level or a split leaves the others' draws as they were.
 */
final class Seeds {

    static final int BOOTSTRAP = 1;
    static final int HELD_OUT = 2;

    private Seeds() {}

    // SplitMix64's finaliser over the (seed, stream, index) triple: nearby inputs give unrelated seeds
    static long derive(long seed, int stream, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (((long) stream << 32) + index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

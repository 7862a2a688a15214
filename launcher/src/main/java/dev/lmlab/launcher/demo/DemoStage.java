package dev.lmlab.launcher.demo;

/**
 * One part of {@code bin/lmlab demo}. Later capabilities add their own stages (a model served, a benchmark
 * graded, an SAE trained); each reports what it showed and throws {@link DemoFailure} when the platform did not
 * behave as promised.
 */
public interface DemoStage {

    String title();

    void run(DemoContext context) throws Exception;

    /** A promise the platform broke; the demo stops and prints it. */
    final class DemoFailure extends RuntimeException {
        public DemoFailure(String message) {
            super(message);
        }
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new DemoFailure(message);
        }
    }
}

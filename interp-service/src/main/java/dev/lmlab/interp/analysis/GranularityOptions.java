package dev.lmlab.interp.analysis;

/**
 * @param primaryHook the hook of the headline statistics; null for the last hook in layer order
 * @param bootstrapResamples resamples behind each per-level interval, at least 1
 * @param heldOutSplits random halvings of the labels for the held-out check; 0 skips it
 * @param seed fixes every random choice, so a run repeats exactly
 * @param pcaComponents principal components kept per fit, at least 1
 */
public record GranularityOptions(
        String primaryHook, int bootstrapResamples, int heldOutSplits, long seed, int pcaComponents) {

    public GranularityOptions {
        if (bootstrapResamples < 1) {
            throw new IllegalArgumentException("bootstrapResamples must be at least 1, got " + bootstrapResamples);
        }
        if (heldOutSplits < 0) {
            throw new IllegalArgumentException("heldOutSplits must be 0 (skip) or more, got " + heldOutSplits);
        }
        if (pcaComponents < 1) {
            throw new IllegalArgumentException("pcaComponents must be at least 1, got " + pcaComponents);
        }
    }

    /** The last hook, 2000 resamples, 50 held-out splits, seed 0, 5 components. */
    public static GranularityOptions defaults() {
        return new GranularityOptions(null, 2000, 50, 0L, 5);
    }

    public GranularityOptions withPrimaryHook(String hook) {
        return new GranularityOptions(hook, bootstrapResamples, heldOutSplits, seed, pcaComponents);
    }
}

package dev.lmlab.launcher.tabom;

import java.util.Locale;

/**
 * How much compute the toy TABOM experiment spends. Every post-training method gets the same steps, batch and
 * learning rate from the same base model.
 *
 * @param entities invented entities per domain (facts in A and in B)
 * @param pretrainSteps steps of pretraining on domain A
 * @param postSteps steps of each post-training run on domain B
 * @param seeds post-training seeds per method (confidence intervals need at least 3)
 * @param samples completions per item for pass@k on domain B
 */
public record TabomBudget(
        String name,
        int entities,
        int hidden,
        int layers,
        int pretrainSteps,
        double pretrainLr,
        int postSteps,
        double postLr,
        int batch,
        int seeds,
        int samples) {

    /**
     * The experiment as docs/experiments/tabom.md reports it. Post-training stops at 20 steps to keep every method
     * short of learning all of domain B (a 40-step run, before this numerics fixes, had all three above 0.9,
     * where the comparison says nothing).
     */
    public static final TabomBudget FULL = new TabomBudget("full", 32, 128, 4, 3000, 2e-3, 20, 1e-3, 32, 10, 8);

    /** The demo's stage: the same pipeline on a budget of about a minute; its numbers mean little. */
    public static final TabomBudget SHORT = new TabomBudget("short", 12, 64, 2, 200, 3e-3, 15, 1e-3, 16, 1, 4);

    public static TabomBudget named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "full" -> FULL;
            case "short" -> SHORT;
            default -> throw new IllegalArgumentException("budget is 'full' or 'short', got '" + name + "'");
        };
    }
}

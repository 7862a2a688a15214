package dev.lmlab.inference.activations;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.hooks.Intervention;
import dev.lmlab.core.hooks.InterventionRuntime;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Activations at hook points for one input, reduced over positions as asked. Steering interventions, when
 * given, run before the captures at the same forward pass, so what is captured is the steered model's state.
 */
public final class ActivationCapture {

    private ActivationCapture() {}

    /** Which positions to keep: every one, the last, or the mean over the prompt or the response part. */
    public enum Reduce {
        ALL,
        LAST,
        MEAN_PROMPT,
        MEAN_RESPONSE,
        MEAN;

        public static Reduce parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** One input: its token ids and how many of them are prompt (the rest is response). */
    public record Input(long[] ids, int promptLength) {}

    /** Per hook: (T, D) for {@code ALL}, else (1, D), flattened, with the row count. */
    public record Captured(Map<String, float[]> values, int rows, int width) {}

    public static Captured run(
            LanguageModel model,
            Input input,
            List<String> hooks,
            Reduce reduce,
            List<Intervention> steering,
            Function<String, SparseAutoencoder> saes) {
        List<Intervention> specs = new ArrayList<>(steering);
        for (String hook : hooks) {
            specs.add(new Intervention.Capture(hook));
        }
        int t = input.ids().length;
        int d = model.config().hiddenSize();
        try (InterventionRuntime runtime = InterventionRuntime.build(specs, model.config(), model.manager(), saes);
                NDManager scope = model.manager().newSubManager()) {
            model.transformer()
                    .forward(
                            scope.create(input.ids(), new Shape(1, t)),
                            null,
                            null,
                            null,
                            runtime,
                            new HookSite(new int[] {0}, new int[] {input.promptLength()}, 0));
            Map<String, float[]> out = new LinkedHashMap<>();
            int rows = reduce == Reduce.ALL ? t : 1;
            for (String hook : hooks) {
                NDArray x = runtime.captured().get(hook); // (1, T, D)
                float[] all = x.toFloatArray();
                out.put(hook, reduce(all, t, d, reduce, input.promptLength()));
            }
            return new Captured(out, rows, d);
        }
    }

    private static float[] reduce(float[] all, int t, int d, Reduce reduce, int promptLength) {
        int from;
        int to;
        switch (reduce) {
            case ALL -> {
                return all;
            }
            case LAST -> {
                from = t - 1;
                to = t;
            }
            case MEAN_PROMPT -> {
                from = 0;
                to = Math.max(1, Math.min(promptLength, t));
            }
            case MEAN_RESPONSE -> {
                if (promptLength >= t) {
                    throw new IllegalArgumentException("mean_response needs a response after the prompt");
                }
                from = promptLength;
                to = t;
            }
            default -> {
                from = 0;
                to = t;
            }
        }
        float[] mean = new float[d];
        for (int i = from; i < to; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += all[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= (to - from);
        }
        return mean;
    }
}

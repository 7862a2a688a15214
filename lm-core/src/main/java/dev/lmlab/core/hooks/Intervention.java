package dev.lmlab.core.hooks;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What to do at a hook point, as data: the same JSON travels over REST and runs in any service. In JSON the
 * kind is {@code "op"}: {@code capture}, {@code add}, {@code replace}, {@code zero_ablate}, {@code mean_ablate},
 * {@code sae_splice}, {@code compose}. Vectors have the model width D.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Intervention.Capture.class, name = "capture"),
    @JsonSubTypes.Type(value = Intervention.Add.class, name = "add"),
    @JsonSubTypes.Type(value = Intervention.Replace.class, name = "replace"),
    @JsonSubTypes.Type(value = Intervention.ZeroAblate.class, name = "zero_ablate"),
    @JsonSubTypes.Type(value = Intervention.MeanAblate.class, name = "mean_ablate"),
    @JsonSubTypes.Type(value = Intervention.SaeSplice.class, name = "sae_splice"),
    @JsonSubTypes.Type(value = Intervention.Compose.class, name = "compose")
})
public sealed interface Intervention {

    /** The hook point, e.g. {@code blocks.6.hook_resid_post}. */
    String hook();

    /** Records the activation (B, T, D) at every forward pass; read it back from the runtime. */
    record Capture(String hook) implements Intervention {}

    /**
     * Adds {@code vector × scale} (or × the schedule's coefficient at the current step) at the chosen positions:
     * steering along a direction.
     */
    record Add(String hook, float[] vector, Double scale, Schedule schedule, Positions positions)
            implements Intervention {}

    /** Sets the activation to {@code vector} at the chosen positions. */
    record Replace(String hook, float[] vector, Positions positions) implements Intervention {}

    /** Sets the activation to zero at the chosen positions. */
    record ZeroAblate(String hook, Positions positions) implements Intervention {}

    /** Sets the activation to a precomputed mean (from an activation set) at the chosen positions. */
    record MeanAblate(String hook, float[] mean, Positions positions) implements Intervention {}

    /**
     * Replaces the activation by its reconstruction through a Top-K sparse autoencoder in SAELens format; {@code
     * sae} names the SAE folder (resolved by the service that runs the model).
     */
    record SaeSplice(String hook, String sae, Positions positions) implements Intervention {}

    /**
     * Several directions added together, each with its own coefficient per step: a fixed schedule, or a policy
     * that recomputes the coefficient from the current context. With {@code target} set, a term's coefficient is
     * {@code clamp(gain × (target − p), min, max)} where p is the projection of the last position's activation on
     * the unit direction: the term pushes the projection toward the target, within bounds.
     */
    record Compose(String hook, List<Term> terms, Positions positions) implements Intervention {

        /** One direction of a composition. */
        public record Term(
                String name, float[] vector, Schedule schedule, Double target, Double gain, Double min, Double max) {}
    }
}

package dev.lmlab.core.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.HookPoints;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a list of {@link Intervention}s as the model's {@link Hooks}. Everything is checked when the runtime is
 * built, before any forward pass: hook names against the model (the error lists the valid ones), vector widths
 * against D, SAE widths. Vectors live as NDArrays on the model's device for the runtime's lifetime.
 */
public final class InterventionRuntime implements Hooks, AutoCloseable {

    private final NDManager manager;
    private final Map<String, List<Step>> byHook = new LinkedHashMap<>();
    private final Map<String, List<NDArray>> captures = new LinkedHashMap<>();
    private final List<SparseAutoencoder> ownedSaes = new ArrayList<>();

    /** One intervention, ready to apply. */
    private interface Step {
        NDArray apply(NDArray x, HookSite site);
    }

    private InterventionRuntime(NDManager manager) {
        this.manager = manager;
    }

    /**
     * @param saes opens an SAE by the name a {@link Intervention.SaeSplice} gives (the caller decides where
     *     names may point); the runtime closes what it opens
     */
    public static InterventionRuntime build(
            List<Intervention> interventions,
            ModelConfig config,
            NDManager parent,
            Function<String, SparseAutoencoder> saes) {
        InterventionRuntime runtime = new InterventionRuntime(parent.newSubManager());
        try {
            for (int i = 0; i < interventions.size(); i++) {
                Intervention intervention = interventions.get(i);
                String where = "intervention #" + i + " (" + opName(intervention) + ")";
                if (intervention == null
                        || intervention.hook() == null
                        || !HookPoints.valid(intervention.hook(), config.numLayers())) {
                    throw new IllegalArgumentException(where + ": unknown hook point '"
                            + (intervention == null ? null : intervention.hook()) + "'; valid: "
                            + HookPoints.all(config.numLayers()));
                }
                runtime.byHook
                        .computeIfAbsent(intervention.hook(), h -> new ArrayList<>())
                        .add(runtime.prepare(intervention, config, where, saes));
            }
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private Step prepare(
            Intervention intervention, ModelConfig config, String where, Function<String, SparseAutoencoder> saes) {
        int d = config.hiddenSize();
        if (intervention instanceof Intervention.Capture c) {
            return (x, site) -> {
                NDArray copy = x.duplicate();
                copy.attach(manager);
                captures.computeIfAbsent(c.hook(), h -> new ArrayList<>()).add(copy);
                return x;
            };
        }
        if (intervention instanceof Intervention.Add a) {
            NDArray v = vector(a.vector(), d, where);
            Schedule schedule =
                    a.schedule() != null ? a.schedule() : Schedule.constant(a.scale() == null ? 1 : a.scale());
            Positions positions = positionsOrAll(a.positions());
            return (x, site) -> x.add(select(x, site, positions, v.mul(schedule.at(site.step()))));
        }
        if (intervention instanceof Intervention.Replace r) {
            NDArray v = vector(r.vector(), d, where);
            Positions positions = positionsOrAll(r.positions());
            return (x, site) -> blend(x, site, positions, v.broadcast(x.getShape()));
        }
        if (intervention instanceof Intervention.ZeroAblate z) {
            Positions positions = positionsOrAll(z.positions());
            return (x, site) -> blend(x, site, positions, x.zerosLike());
        }
        if (intervention instanceof Intervention.MeanAblate m) {
            NDArray mean = vector(m.mean(), d, where);
            Positions positions = positionsOrAll(m.positions());
            return (x, site) -> blend(x, site, positions, mean.broadcast(x.getShape()));
        }
        if (intervention instanceof Intervention.SaeSplice s) {
            SparseAutoencoder sae = saes.apply(s.sae());
            ownedSaes.add(sae);
            if (sae.dIn() != d) {
                throw new IllegalArgumentException(where + ": SAE '" + s.sae() + "' reads width " + sae.dIn()
                        + " but the model's residual width is " + d);
            }
            Positions positions = positionsOrAll(s.positions());
            return (x, site) -> blend(x, site, positions, sae.reconstruct(x));
        }
        return composition((Intervention.Compose) intervention, d, where);
    }

    private Step composition(Intervention.Compose c, int d, String where) {
        if (c.terms() == null || c.terms().isEmpty()) {
            throw new IllegalArgumentException(where + ": a composition needs at least one term");
        }
        Positions positions = positionsOrAll(c.positions());
        List<Step> terms = new ArrayList<>();
        for (int i = 0; i < c.terms().size(); i++) {
            Intervention.Compose.Term term = c.terms().get(i);
            String termWhere = where + " term " + (term.name() == null ? "#" + i : "'" + term.name() + "'");
            NDArray v = vector(term.vector(), d, termWhere);
            if (term.target() == null) {
                Schedule schedule = term.schedule() != null ? term.schedule() : Schedule.constant(1);
                terms.add((x, site) -> select(x, site, positions, v.mul(schedule.at(site.step()))));
                continue;
            }
            double gain = term.gain() == null ? 1.0 : term.gain();
            double min = term.min() == null ? Double.NEGATIVE_INFINITY : term.min();
            double max = term.max() == null ? Double.POSITIVE_INFINITY : term.max();
            NDArray unit = v.div(v.norm()).reshape(d, 1); // (D, 1)
            double target = term.target();
            terms.add((x, site) -> {
                // the projection of each row's latest position on the direction decides this step's coefficient
                NDArray last = x.get(new NDIndex(":, -1:, :")); // (B, 1, D)
                NDArray projection = last.matMul(unit); // (B, 1, 1)
                NDArray coefficient = projection.neg().add(target).mul(gain).clip(min, max); // (B, 1, 1)
                return select(x, site, positions, v.mul(coefficient)); // (B, 1, D) broadcast over T
            });
        }
        return (x, site) -> {
            NDArray sum = x;
            for (Step term : terms) {
                sum = sum.add(term.apply(x, site));
            }
            return sum;
        };
    }

    private NDArray vector(float[] values, int d, String where) {
        if (values == null) {
            throw new IllegalArgumentException(where + ": needs a vector of width " + d);
        }
        if (values.length != d) {
            throw new IllegalArgumentException(
                    where + ": the vector has width " + values.length + " but the model's residual width is " + d);
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(where + ": the vector holds a non-finite value");
            }
        }
        return manager.create(values);
    }

    private static Positions positionsOrAll(Positions p) {
        return p == null ? Positions.ALL : p;
    }

    /** {@code value} where the positions apply, zero elsewhere; value broadcasts against (B, T, D). */
    private static NDArray select(NDArray x, HookSite site, Positions positions, NDArray value) {
        NDArray mask = mask(x, site, positions);
        NDArray full = value.broadcast(x.getShape());
        return mask == null ? full : full.mul(mask);
    }

    /** x where the positions do not apply, {@code replacement} where they do. */
    private static NDArray blend(NDArray x, HookSite site, Positions positions, NDArray replacement) {
        NDArray mask = mask(x, site, positions);
        return mask == null ? replacement : x.mul(mask.neg().add(1)).add(replacement.mul(mask));
    }

    /** (B, T, 1) with 1 where the positions apply; null when they all do. */
    private static NDArray mask(NDArray x, HookSite site, Positions positions) {
        if (positions.kind() == Positions.Kind.ALL) {
            return null;
        }
        int b = (int) x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        float[] m = new float[b * t];
        for (int row = 0; row < b; row++) {
            int prompt = site.promptLength(row);
            int offset = site.offset(row);
            for (int i = 0; i < t; i++) {
                m[row * t + i] = positions.covers(offset + i, prompt) ? 1f : 0f;
            }
        }

        return x.getManager().create(m, new Shape(b, t, 1));
    }

    @Override
    public boolean active(String hookPoint) {
        return byHook.containsKey(hookPoint);
    }

    @Override
    public NDArray at(String hookPoint, NDArray activation, HookSite site) {
        NDArray x = activation;
        for (Step step : byHook.getOrDefault(hookPoint, List.of())) {
            x = step.apply(x, site);
        }
        return x;
    }

    /** Captured activations per hook, every forward pass's positions concatenated: (B, T_total, D). */
    public Map<String, NDArray> captured() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        captures.forEach((hook, parts) ->
                out.put(hook, parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1)));
        return out;
    }

    @Override
    public void close() {
        ownedSaes.forEach(SparseAutoencoder::close);
        manager.close();
    }

    private static String opName(Intervention i) {
        return i == null ? "null" : i.getClass().getSimpleName();
    }
}

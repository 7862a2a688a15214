package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction, and weight decay applied to the weights
 * directly rather than through the gradient. Norm weights and biases (1-D parameters) are not decayed, as is
 * common for transformers. Its moments are state a resumed job must restore: {@link #save}/{@link #load}.
 */
public final class AdamW {

    private final Map<String, NDArray> parameters;
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(
            Map<String, NDArray> parameters,
            NDManager manager,
            double beta1,
            double beta2,
            double epsilon,
            double weightDecay) {
        this.parameters = parameters;
        this.manager = manager;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        parameters.forEach((name, p) -> {
            m.put(name, manager.zeros(p.getShape()));
            v.put(name, manager.zeros(p.getShape()));
        });
    }

    public static AdamW standard(Map<String, NDArray> parameters, NDManager manager, double weightDecay) {
        return new AdamW(parameters, manager, 0.9, 0.999, 1e-8, weightDecay);
    }

    public long steps() {
        return step;
    }

    /**
     * One update with learning rate {@code lr} from the gradients the parameters hold, arranged as PyTorch's AdamW
     * arranges it ({@code denom = sqrt(v)/sqrt(1-β₂ᵗ) + ε}, {@code p -= lr/(1-β₁ᵗ) · m/denom}) so that each parameter
     * costs three new arrays and the rest happens in place. The gradients are left scaled: zero them next.
     */
    public void step(double lr) {
        step++;
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float correction2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            try (NDManager scope = manager.newSubManager()) {
                // every temporary goes to the scope: an op's result joins its receiver's manager, so each chain
                // starts from an array attached to the scope (a leak here grows by the model's size every step)
                NDArray g = p.getGradient(); // (same shape as p)
                g.attach(scope);
                NDArray mi = m.get(e.getKey());
                NDArray vi = v.get(e.getKey());
                vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                mi.muli((float) beta1).addi(g.muli((float) (1 - beta1))); // scales the gradient in place: unused after
                if (weightDecay > 0 && p.getShape().dimension() > 1) {
                    p.muli((float) (1 - lr * weightDecay));
                }
                NDArray denominator =
                        scoped(vi.sqrt(), scope).divi(correction2Sqrt).addi((float) epsilon);
                p.subi(scoped(mi.div(denominator), scope).muli(stepSize));
            }
        }
    }

    private static NDArray scoped(NDArray x, NDManager scope) {
        x.attach(scope);
        return x;
    }

    /** Writes the moments and the step count. */
    public void save(Path file) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("step", Long.toString(step));
        m.forEach((name, x) -> w.add("m." + name, x));
        v.forEach((name, x) -> w.add("v." + name, x));
        w.write(file);
    }

    /** Restores what {@link #save} wrote; parameter names must match. */
    public void load(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file);
                NDManager scope = manager.newSubManager()) {
            for (String name : parameters.keySet()) {
                m.get(name).set(f.readFloats("m." + name));
                v.get(name).set(f.readFloats("v." + name));
            }
            step = Long.parseLong(f.metadata().getOrDefault("step", "0"));
        }
    }
}

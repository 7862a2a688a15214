package dev.lmlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;

/** Gradient housekeeping between backward passes and optimizer steps. */
public final class Gradients {

    private Gradients() {}

    /**
     * Marks every parameter as needing a gradient (before the first forward pass of training) and zeroes any
     * gradient a parameter already holds, so a step never adds onto what an earlier use of the same arrays left.
     */
    public static void track(Map<String, NDArray> parameters) {
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        zero(parameters);
    }

    /** The global L2 norm of all gradients. */
    public static double norm(Map<String, NDArray> parameters) {
        double sum = 0;
        for (NDArray p : parameters.values()) {
            try (NDManager scope = p.getManager().newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(scope); // so the square and the sum are freed with it
                sum += g.square().sum().getFloat();
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales all gradients so their global norm is at most {@code maxNorm}; returns the norm before clipping (what
     * training logs as grad_norm).
     */
    public static double clip(Map<String, NDArray> parameters, double maxNorm) {
        double norm = norm(parameters);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            parameters.values().forEach(p -> {
                NDArray g = p.getGradient();
                g.muli(scale);
                g.close();
            });
        }
        return norm;
    }

    /** Divides every gradient, e.g. by the number of accumulated micro-batches. */
    public static void scale(Map<String, NDArray> parameters, double factor) {
        parameters.values().forEach(p -> {
            NDArray g = p.getGradient();
            g.muli(factor);
            g.close();
        });
    }

    /** Fills every gradient with zeros (a fill, not a multiplication, so a NaN left by a failed step goes too). */
    public static void zero(Map<String, NDArray> parameters) {
        // the engine's in-place zero_ on each gradient: no temporary (a set() through an index leaks a scalar per call)
        parameters.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
    }
}

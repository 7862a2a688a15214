package dev.lmlab.interp.vectors;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gram–Schmidt orthogonalisation of trait vectors in a chosen order: each vector loses its projections on the ones
 * before it, so the first is kept as it is and later ones keep only what is new. The order is a modelling choice;
 * a different order gives different vectors.
 *
 * <p>Shapes: N vectors in the order, each of width D.
 */
public final class Orthogonalization {

    /** Below this fraction of its norm left, a vector is taken to lie in the span of the ones before it. */
    static final double MIN_RETAINED_NORM = 1e-6;

    private Orthogonalization() {}

    /**
     * @param order the names, in the order they are orthogonalised
     * @param vectors orthogonalised residuals by name, in order; not renormalised
     * @param cosinesBefore (N, N) cosine similarities of the given vectors, indexed by position in {@code order}
     * @param cosinesAfter (N, N) cosine similarities of the returned vectors
     * @param retainedNorm by name, |residual| / |original|: 1 for a vector orthogonal to the earlier ones
     */
    public record Result(
            List<String> order,
            Map<String, float[]> vectors,
            double[][] cosinesBefore,
            double[][] cosinesAfter,
            Map<String, Double> retainedNorm) {}

    /**
     * Orthogonalises {@code vectors} in {@code order}; vectors the order does not name are ignored.
     *
     * @throws IllegalArgumentException if the order is empty, names an unknown vector or one twice, the widths
     *     differ, a vector is zero or not finite, or a vector (nearly) lies in the span of the ones before it
     */
    public static Result gramSchmidt(List<String> order, Map<String, float[]> vectors) {
        double[][] originals = validated(order, vectors); // (N, D)
        int n = originals.length;

        // modified Gram–Schmidt: subtract each earlier projection from the running residual, not from the original,
        // so rounding in one step is corrected by the next
        double[][] residuals = new double[n][]; // (N, D)
        double[] squaredNorms = new double[n]; // (N)
        Map<String, Double> retained = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            double[] residual = originals[i].clone(); // (D)
            for (int j = 0; j < i; j++) {
                double projection = dot(residual, residuals[j]) / squaredNorms[j];
                for (int k = 0; k < residual.length; k++) {
                    residual[k] -= projection * residuals[j][k];
                }
            }
            double kept = Math.sqrt(dot(residual, residual) / dot(originals[i], originals[i]));
            if (kept < MIN_RETAINED_NORM) {
                throw new IllegalArgumentException(String.format(
                        "'%s' lies (nearly) in the span of the vectors before it %s: only %.3g of its norm is left"
                                + " after removing their projections; leave it out or put it earlier in the order",
                        order.get(i), order.subList(0, i), kept));
            }
            residuals[i] = residual;
            squaredNorms[i] = dot(residual, residual);
            retained.put(order.get(i), kept);
        }

        // cosines after are measured on the float vectors handed back, not on the double residuals
        Map<String, float[]> result = new LinkedHashMap<>();
        double[][] returned = new double[n][]; // (N, D)
        for (int i = 0; i < n; i++) {
            float[] vector = toFloat(residuals[i]);
            result.put(order.get(i), vector);
            returned[i] = toDouble(vector);
        }

        return new Result(
                List.copyOf(order),
                Collections.unmodifiableMap(result),
                cosines(originals),
                cosines(returned),
                Collections.unmodifiableMap(retained));
    }

    /** The vectors named by {@code order} as doubles, after checking everything that would make the result empty. */
    private static double[][] validated(List<String> order, Map<String, float[]> vectors) {
        if (order.isEmpty()) {
            throw new IllegalArgumentException("the order names no vectors");
        }
        Set<String> seen = new HashSet<>();
        double[][] originals = new double[order.size()][];
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            float[] vector = vectors.get(name);
            if (vector == null) {
                throw new IllegalArgumentException(
                        "no vector named '" + name + "'; known: " + new TreeSet<>(vectors.keySet()));
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("'" + name + "' appears more than once in the order");
            }
            if (i > 0 && vector.length != originals[0].length) {
                throw new IllegalArgumentException(String.format(
                        "'%s' has width %d but '%s' has width %d; all vectors must have the same width",
                        name, vector.length, order.get(0), originals[0].length));
            }
            originals[i] = toDouble(vector);
            for (int k = 0; k < vector.length; k++) {
                if (!Float.isFinite(vector[k])) {
                    throw new IllegalArgumentException("'" + name + "' has a non-finite component at index " + k);
                }
            }
            if (dot(originals[i], originals[i]) == 0) {
                throw new IllegalArgumentException("'" + name + "' is a zero vector and has no direction");
            }
        }
        return originals;
    }

    /** (N, N) cosine similarities; the diagonal is exactly 1 and the matrix exactly symmetric. */
    private static double[][] cosines(double[][] vectors) {
        int n = vectors.length;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(dot(vectors[i], vectors[i]));
        }
        double[][] cosines = new double[n][n];
        for (int i = 0; i < n; i++) {
            cosines[i][i] = 1;
            for (int j = i + 1; j < n; j++) {
                cosines[i][j] = dot(vectors[i], vectors[j]) / (norms[i] * norms[j]);
                cosines[j][i] = cosines[i][j];
            }
        }
        return cosines;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            sum += a[k] * b[k];
        }
        return sum;
    }

    private static double[] toDouble(float[] vector) {
        double[] result = new double[vector.length];
        for (int k = 0; k < vector.length; k++) {
            result[k] = vector[k];
        }
        return result;
    }

    private static float[] toFloat(double[] vector) {
        float[] result = new float[vector.length];
        for (int k = 0; k < vector.length; k++) {
            result[k] = (float) vector[k];
        }
        return result;
    }
}

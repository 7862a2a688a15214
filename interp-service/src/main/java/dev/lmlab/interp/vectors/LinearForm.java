package dev.lmlab.interp.vectors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The value of a sub-expression, kept symbolic: either a scalar, or a vector written as a weighted sum of named
 * vectors. Every allowed operation keeps it linear, so no sub-expression ever needs the vectors themselves.
 *
 * <p>A form is a vector exactly when it mentions a name, even if the weights cancel: {@code a - a} is a vector
 * with weight 0 on {@code a}, so its type does not depend on arithmetic.
 *
 * @param scalar the value when {@code weights} is empty; 0 otherwise
 * @param weights name to weight, in order of first use
 */
record LinearForm(double scalar, Map<String, Double> weights) {

    static LinearForm scalar(double value) {
        return new LinearForm(value, Map.of());
    }

    static LinearForm vector(String name) {
        return new LinearForm(0, Map.of(name, 1.0));
    }

    boolean isVector() {
        return !weights.isEmpty();
    }

    /** {@code this + sign * other}; both must have the same type. */
    LinearForm plus(LinearForm other, double sign) {
        if (!isVector()) {
            return scalar(scalar + sign * other.scalar);
        }
        // this form's names come first in the text, so merging in this order keeps the order of first use
        Map<String, Double> sum = new LinkedHashMap<>(weights);
        other.weights.forEach((name, weight) -> sum.merge(name, sign * weight, Double::sum));
        return new LinearForm(0, normalised(sum, DoubleUnaryOperator.identity()));
    }

    LinearForm times(double factor) {
        return map(value -> value * factor);
    }

    /** Divides rather than multiplying by the reciprocal, so {@code a / 3} gives the closest double to a third. */
    LinearForm dividedBy(double divisor) {
        return map(value -> value / divisor);
    }

    boolean isFinite() {
        return Double.isFinite(scalar) && weights.values().stream().allMatch(Double::isFinite);
    }

    private LinearForm map(DoubleUnaryOperator operation) {
        if (!isVector()) {
            return scalar(operation.applyAsDouble(scalar));
        }
        return new LinearForm(0, normalised(weights, operation));
    }

    /** Applies {@code operation} to each weight; adding 0.0 turns -0.0 into 0.0 so it never prints as "-0". */
    private static Map<String, Double> normalised(Map<String, Double> weights, DoubleUnaryOperator operation) {
        Map<String, Double> result = new LinkedHashMap<>();
        weights.forEach((name, weight) -> result.put(name, operation.applyAsDouble(weight) + 0.0));
        return Collections.unmodifiableMap(result);
    }
}

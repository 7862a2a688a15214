package dev.lmlab.interp.vectors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A steering-vector algebra expression such as {@code 1.5*openness + 0.5*agreeableness - neuroticism}: named
 * vectors combined with numbers by {@code + - * /} and parentheses. Parsed by hand, never evaluated as code.
 *
 * <p>Every allowed operation is linear (vectors are only added to vectors and scaled by numbers), so the whole
 * expression reduces, while parsing, to one weight per name; evaluation is then that weighted sum. Type errors
 * such as {@code a * b} or {@code a + 1} are therefore found at parse time, before any vector is loaded.
 *
 * <p>Shapes: D is the width of the vectors.
 */
public final class VectorExpression {

    private final String text;
    private final Map<String, Double> coefficients;
    private final Map<String, Integer> firstUse;

    VectorExpression(String text, Map<String, Double> coefficients, Map<String, Integer> firstUse) {
        this.text = text;
        this.coefficients = Collections.unmodifiableMap(new LinkedHashMap<>(coefficients));
        this.firstUse = Map.copyOf(firstUse);
    }

    /**
     * Parses {@code text}.
     *
     * @throws ExpressionException if the text is not a well-typed expression whose result is a vector, or exceeds
     *     the limits: 2000 characters, 64 distinct names, parentheses nested 64 deep
     */
    public static VectorExpression parse(String text) {
        return ExpressionParser.parse(text);
    }

    /** The distinct vector names, in order of first use. */
    public List<String> names() {
        return List.copyOf(coefficients.keySet());
    }

    /**
     * Name to total coefficient, in order of first use; {@code a - 0.5*(a - b)} gives {@code {a=0.5, b=0.5}}. A name
     * whose terms cancel stays, with coefficient 0.
     */
    public Map<String, Double> coefficients() {
        return coefficients;
    }

    /**
     * Evaluates the expression as the sum of coefficient times vector, accumulated in double.
     *
     * @param vectors resolves a name to its vector; it may throw its own exception for an unknown name, which is
     *     passed on unchanged. Returning null is reported as an {@link ExpressionException}.
     * @throws ExpressionException if the vectors differ in width or the result is not finite
     */
    public float[] evaluate(Function<String, float[]> vectors) {
        Objects.requireNonNull(vectors, "vectors");
        Map<String, float[]> resolved = new LinkedHashMap<>();
        String first = null;
        double[] sum = null; // (D)

        for (Map.Entry<String, Double> term : coefficients.entrySet()) {
            String name = term.getKey();
            float[] vector = vectors.apply(name); // (D)
            if (vector == null) {
                throw error("no vector named '" + name + "'", name);
            }
            if (sum == null) {
                first = name;
                sum = new double[vector.length];
            } else if (vector.length != sum.length) {
                throw error(widthMismatch(name, vector.length, first, sum.length), name);
            }
            resolved.put(name, vector);
            double coefficient = term.getValue();
            for (int i = 0; i < vector.length; i++) {
                sum[i] += coefficient * vector[i];
            }
        }

        float[] result = new float[sum.length]; // (D)
        for (int i = 0; i < sum.length; i++) {
            result[i] = (float) sum[i];
            if (!Float.isFinite(result[i])) {
                throw nonFinite(i, resolved);
            }
        }
        return result;
    }

    /**
     * One term per name in order of first use, each written as coefficient*name, e.g. {@code 1.5*openness +
     * 0.5*agreeableness - 1*neuroticism}. Parsing it gives the same coefficients.
     */
    public String canonical() {
        List<String> terms = new ArrayList<>();
        coefficients.forEach((name, coefficient) -> {
            String magnitude = number(Math.abs(coefficient)) + "*" + name;
            if (terms.isEmpty()) {
                terms.add(coefficient < 0 ? "-" + magnitude : magnitude);
            } else {
                terms.add((coefficient < 0 ? "- " : "+ ") + magnitude);
            }
        });
        return String.join(" ", terms);
    }

    @Override
    public String toString() {
        return canonical();
    }

    /** Whole numbers without a trailing ".0"; others in Java's shortest round-tripping form, which we can parse. */
    private static String number(double value) {
        if (value == Math.rint(value) && value < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static String widthMismatch(String name, int width, String first, int firstWidth) {
        return String.format(
                "'%s' has width %d but '%s' has width %d; vectors must have the same width to be added",
                name, width, first, firstWidth);
    }

    /** Names the culprit: a non-finite component in one of the inputs, or else overflow of the float result. */
    private ExpressionException nonFinite(int index, Map<String, float[]> resolved) {
        for (Map.Entry<String, float[]> input : resolved.entrySet()) {
            if (!Float.isFinite(input.getValue()[index])) {
                return error(
                        "vector '" + input.getKey() + "' has a non-finite component at index " + index, input.getKey());
            }
        }
        return new ExpressionException("the result overflows float at component " + index, text, 0);
    }

    private ExpressionException error(String problem, String name) {
        return new ExpressionException(problem, text, firstUse.get(name));
    }
}

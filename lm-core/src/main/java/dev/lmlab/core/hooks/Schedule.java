package dev.lmlab.core.hooks;

/**
 * A coefficient per decoding step: step s uses {@code coefficients[s]}, and the last value holds for every step
 * after the list ends. One value is a constant. Steps count generated tokens in autoregressive decoding and
 * denoising steps in diffusion decoding.
 */
public record Schedule(double[] coefficients) {

    public Schedule {
        if (coefficients == null || coefficients.length == 0) {
            throw new IllegalArgumentException("a schedule needs at least one coefficient");
        }
        coefficients = coefficients.clone();
    }

    public static Schedule constant(double value) {
        return new Schedule(new double[] {value});
    }

    /** JSON: a number (constant) or a list of numbers (one per step). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Schedule fromJson(Object value) {
        if (value instanceof Number n) {
            return constant(n.doubleValue());
        }
        if (value instanceof java.util.List<?> items && !items.isEmpty()) {
            double[] c = new double[items.size()];
            for (int i = 0; i < c.length; i++) {
                if (!(items.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException("a schedule holds numbers, got " + items.get(i));
                }
                c[i] = n.doubleValue();
            }
            return new Schedule(c);
        }
        throw new IllegalArgumentException("a schedule is a number or a non-empty list of numbers, got " + value);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public double[] toJson() {
        return coefficients.clone();
    }

    public double at(int step) {
        return coefficients[Math.min(Math.max(step, 0), coefficients.length - 1)];
    }
}

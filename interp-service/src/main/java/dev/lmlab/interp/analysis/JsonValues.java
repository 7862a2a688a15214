package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.List;

/** Numbers for the JSON result: JSON has no NaN or infinity, so an undefined statistic becomes null. */
final class JsonValues {

    private JsonValues() {}

    static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static List<Double> numbers(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(number(v));
        }
        return out;
    }

    /** The absolute value of a signed cosine, null when undefined. */
    static Double magnitude(double v) {
        return number(Math.abs(v));
    }
}

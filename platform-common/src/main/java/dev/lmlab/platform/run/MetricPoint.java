package dev.lmlab.platform.run;

import java.time.Instant;

/** One value of a metric at a step; {@code loggedAt} may be null when logging, the registry then stamps it. */
public record MetricPoint(String key, long step, double value, Instant loggedAt) {

    public static MetricPoint of(String key, long step, double value) {
        return new MetricPoint(key, step, value, null);
    }
}

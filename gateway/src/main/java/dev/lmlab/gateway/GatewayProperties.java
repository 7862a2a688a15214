package dev.lmlab.gateway;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Gateway settings under {@code lmlab.gateway}; the services it routes to are {@code lmlab.services.<name>}.
 *
 * @param adminKey a bootstrap admin key ({@code LMLAB_ADMIN_KEY}); without one, a key is generated on first
 *     start into {@code $LMLAB_HOME/admin.key}
 * @param keyCacheTtl how long a checked key is trusted before it is looked up again (and so how long a revoked
 *     key may still pass on other gateway replicas)
 * @param rateLimit per-key request budget
 * @param events the runs event stream
 */
@Validated
@ConfigurationProperties("lmlab.gateway")
public record GatewayProperties(
        String adminKey,
        @DefaultValue("10s") Duration keyCacheTtl,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Events events) {

    /**
     * A token bucket per key and gateway replica.
     *
     * @param requestsPerMinute the sustained rate, unless the key sets its own
     * @param burst how many requests may arrive at once
     */
    public record RateLimit(
            @Min(1) @DefaultValue("600") int requestsPerMinute,
            @Min(1) @DefaultValue("120") int burst) {}

    /**
     * @param maxSubscribers open event streams allowed at once on this replica
     * @param heartbeat how often an idle stream gets a comment line, so proxies keep it open
     * @param sweep how often streams are checked for events a missed notification left behind
     */
    public record Events(
            @Min(1) @DefaultValue("1000") int maxSubscribers,
            @DefaultValue("15s") Duration heartbeat,
            @DefaultValue("2s") Duration sweep) {}
}

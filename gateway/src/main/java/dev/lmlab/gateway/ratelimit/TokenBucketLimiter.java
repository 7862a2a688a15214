package dev.lmlab.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * One token bucket per key: {@code burst} tokens at most, refilled at the key's rate. Buckets live in this
 * gateway replica's memory, so with N replicas behind a load balancer a key gets up to N times its budget;
 * that is the documented trade for a limiter that costs no network round trip.
 */
public class TokenBucketLimiter {

    /** The outcome for one request: allowed or not, what is left, and when to retry. */
    public record Decision(boolean allowed, long remaining, long retryAfterSeconds) {}

    private final Cache<String, Bucket> buckets =
            Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).build();

    public Decision tryAcquire(String key, int perMinute, int burst) {
        Bucket bucket = buckets.get(key, k -> new Bucket(burst));
        return bucket.take(perMinute / 60.0, burst, System.nanoTime());
    }

    private static final class Bucket {
        private double tokens;
        private long lastNanos;

        Bucket(int burst) {
            this.tokens = burst;
            this.lastNanos = System.nanoTime();
        }

        synchronized Decision take(double perSecond, int burst, long now) {
            tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * perSecond);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return new Decision(true, (long) tokens, 0);
            }
            long wait = (long) Math.ceil((1 - tokens) / perSecond);
            return new Decision(false, 0, Math.max(1, wait));
        }
    }
}

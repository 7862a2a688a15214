package dev.lmlab.gateway.apikey;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An API key as stored: never the secret itself, only its prefix (to recognise it in a list) and its hash.
 *
 * @param rateLimitPerMinute this key's own budget, or null for the gateway default
 */
public record ApiKey(
        UUID id,
        String name,
        String prefix,
        Set<Scope> scopes,
        Integer rateLimitPerMinute,
        String createdBy,
        Instant createdAt,
        Instant lastUsedAt,
        Instant revokedAt) {

    public boolean allows(Scope needed) {
        return scopes.stream().anyMatch(s -> s.includes(needed));
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}

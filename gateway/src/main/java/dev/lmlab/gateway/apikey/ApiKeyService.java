package dev.lmlab.gateway.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lmlab.gateway.GatewayProperties;
import dev.lmlab.platform.web.ApiException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Creating, listing, revoking and checking API keys. */
@Service
public class ApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);

    private final ApiKeyStore store;
    private final TransactionTemplate tx;
    /** hash of a presented secret → its key, or empty for an unknown/revoked one; trusted for a few seconds */
    private final Cache<String, Optional<ApiKey>> checked;

    ApiKeyService(ApiKeyStore store, TransactionTemplate tx, GatewayProperties properties) {
        this.store = store;
        this.tx = tx;
        this.checked = Caffeine.newBuilder()
                .expireAfterWrite(properties.keyCacheTtl())
                .maximumSize(100_000)
                .build();
    }

    /** A new key and its secret; the secret is shown this once and never stored. */
    public record Created(ApiKey key, String secret) {}

    public Created create(String name, Set<Scope> scopes, Integer rateLimitPerMinute, String createdBy) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw ApiException.badRequest("invalid-key-name", "A key needs a name of 1-100 characters.");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw ApiException.badRequest("invalid-scopes", "A key needs at least one scope: read, write or admin.");
        }
        if (rateLimitPerMinute != null && (rateLimitPerMinute < 1 || rateLimitPerMinute > 1_000_000)) {
            throw ApiException.badRequest("invalid-rate-limit", "rate_limit_per_minute must be between 1 and 1000000.");
        }
        String secret = ApiKeyStore.newSecret();
        ApiKey key = store.insert(secret, name.trim(), EnumSet.copyOf(scopes), rateLimitPerMinute, createdBy);
        log.info("API key {} ({}) created by {} with scopes {}", key.id(), key.name(), createdBy, key.scopes());
        return new Created(key, secret);
    }

    public List<ApiKey> list(boolean includeRevoked) {
        return store.list(includeRevoked);
    }

    public void revoke(UUID id, String revokedBy) {
        String hash = store.revoke(id)
                .orElseThrow(() -> ApiException.notFound("api-key-not-found", "No active API key with id " + id + "."));
        checked.invalidate(hash);
        log.info("API key {} revoked by {}", id, revokedBy);
    }

    /** The active key a presented secret belongs to. */
    public Optional<ApiKey> authenticate(String secret) {
        if (secret == null || !secret.startsWith(ApiKeyStore.KEY_PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        return checked.get(ApiKeyStore.sha256(secret), store::authenticate);
    }

    /**
     * Makes sure an admin can get in. With {@code LMLAB_ADMIN_KEY} set, that key is the bootstrap admin key (an
     * older bootstrap key is revoked). Otherwise, if no admin key exists at all, one is generated and returned
     * so the caller can write it to the data folder.
     */
    Optional<String> bootstrap(String configuredKey) {
        return tx.execute(s -> {
            store.lockForBootstrap();
            if (configuredKey != null && !configuredKey.isBlank()) {
                if (!configuredKey.startsWith(ApiKeyStore.KEY_PREFIX) || configuredKey.length() < 24) {
                    throw new IllegalStateException("LMLAB_ADMIN_KEY must start with '" + ApiKeyStore.KEY_PREFIX
                            + "' and be at least 24 characters; generate one with: echo lmk_$(openssl rand -hex 20)");
                }
                String hash = ApiKeyStore.sha256(configuredKey);
                if (store.findByHash(hash).isEmpty()) {
                    store.insert(configuredKey, BOOTSTRAP_NAME, EnumSet.of(Scope.ADMIN), null, "LMLAB_ADMIN_KEY");
                }
                int revoked = store.revokeByNameExcept(BOOTSTRAP_NAME, hash);
                if (revoked > 0) {
                    log.info("Revoked {} older bootstrap admin key(s): LMLAB_ADMIN_KEY changed", revoked);
                }
                return Optional.<String>empty();
            }
            if (store.countActiveAdmins() > 0) {
                return Optional.<String>empty();
            }
            String secret = ApiKeyStore.newSecret();
            store.insert(secret, BOOTSTRAP_NAME, EnumSet.of(Scope.ADMIN), null, "first start");
            return Optional.of(secret);
        });
    }

    static final String BOOTSTRAP_NAME = "bootstrap-admin";
}

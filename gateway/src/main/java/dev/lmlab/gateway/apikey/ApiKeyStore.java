package dev.lmlab.gateway.apikey;

import dev.lmlab.platform.util.Digests;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** API keys in {@code gateway.api_keys}, looked up by the SHA-256 of the presented secret. */
@Repository
class ApiKeyStore {

    /** Keys look like {@code lmk_<40 url-safe characters>}: 240 random bits. */
    static final String KEY_PREFIX = "lmk_";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final JdbcClient jdbc;

    ApiKeyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    static String newSecret() {
        StringBuilder key = new StringBuilder(KEY_PREFIX);
        for (int i = 0; i < 40; i++) {
            key.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return key.toString();
    }

    static String sha256(String secret) {
        return Digests.sha256Hex(secret);
    }

    ApiKey insert(String secret, String name, Set<Scope> scopes, Integer rateLimitPerMinute, String createdBy) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO gateway.api_keys (id, name, prefix, key_sha256, scopes, rate_limit_per_minute, created_by)
                VALUES (:id, :name, :prefix, :hash, :scopes, :rpm, :by)
                """)
                .param("id", id)
                .param("name", name)
                .param("prefix", secret.substring(0, KEY_PREFIX.length() + 6))
                .param("hash", sha256(secret))
                .param("scopes", scopes.stream().map(Scope::value).sorted().toArray(String[]::new))
                .param("rpm", rateLimitPerMinute)
                .param("by", createdBy)
                .update();
        return find(id).orElseThrow();
    }

    /** The active key with this secret's hash, stamping its last use. */
    Optional<ApiKey> authenticate(String secretSha256) {
        return jdbc.sql("""
                        UPDATE gateway.api_keys SET last_used_at = now()
                        WHERE key_sha256 = :hash AND revoked_at IS NULL
                        RETURNING *
                        """).param("hash", secretSha256).query(ApiKeyStore::map).optional();
    }

    Optional<ApiKey> find(UUID id) {
        return jdbc.sql("SELECT * FROM gateway.api_keys WHERE id = :id")
                .param("id", id)
                .query(ApiKeyStore::map)
                .optional();
    }

    Optional<ApiKey> findByHash(String hash) {
        return jdbc.sql("SELECT * FROM gateway.api_keys WHERE key_sha256 = :hash")
                .param("hash", hash)
                .query(ApiKeyStore::map)
                .optional();
    }

    List<ApiKey> list(boolean includeRevoked) {
        return jdbc.sql("SELECT * FROM gateway.api_keys"
                        + (includeRevoked ? "" : " WHERE revoked_at IS NULL")
                        + " ORDER BY created_at")
                .query(ApiKeyStore::map)
                .list();
    }

    /** Revokes the key; returns the key hash so caches can forget it, empty if there was no such active key. */
    Optional<String> revoke(UUID id) {
        return jdbc.sql("""
                        UPDATE gateway.api_keys SET revoked_at = now()
                        WHERE id = :id AND revoked_at IS NULL RETURNING key_sha256
                        """).param("id", id).query(String.class).optional();
    }

    int revokeByNameExcept(String name, String keepHash) {
        return jdbc.sql("""
                        UPDATE gateway.api_keys SET revoked_at = now()
                        WHERE name = :name AND key_sha256 <> :keep AND revoked_at IS NULL
                        """).param("name", name).param("keep", keepHash).update();
    }

    long countActiveAdmins() {
        return jdbc.sql("SELECT count(*) FROM gateway.api_keys WHERE revoked_at IS NULL AND 'admin' = ANY(scopes)")
                .query(Long.class)
                .single();
    }

    /** Serialises bootstrap between gateway replicas starting together. */
    void lockForBootstrap() {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('lmlab-gateway-bootstrap', 0))")
                .query(Object.class)
                .single();
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        Array scopes = rs.getArray("scopes");
        Set<Scope> parsed = EnumSet.noneOf(Scope.class);
        Arrays.stream((String[]) scopes.getArray()).map(Scope::parse).forEach(parsed::add);
        return new ApiKey(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("prefix"),
                parsed,
                (Integer) rs.getObject("rate_limit_per_minute"),
                rs.getString("created_by"),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("revoked_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

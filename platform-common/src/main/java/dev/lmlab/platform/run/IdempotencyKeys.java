package dev.lmlab.platform.run;

import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} for anything that creates a run: within one scope (a service and a caller), a key maps
 * to one run forever. Replaying the same request returns that run; reusing the key for a different request is
 * a 409. Concurrent requests with one key are serialised by an advisory lock, so exactly one creates the run.
 */
public class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final RunRegistry registry;
    /** requests are compared as JSON with sorted keys, so field order does not make two requests differ */
    private final JsonMapper canonicalJson;

    public IdempotencyKeys(JdbcClient jdbc, TransactionTemplate tx, RunRegistry registry, JsonMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.registry = registry;
        this.canonicalJson = json.rebuild()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }

    /** The run, and whether this call created it ({@code false}: replayed an earlier request). */
    public record Outcome(Run run, boolean created) {}

    /**
     * Runs {@code create} in a transaction unless {@code key} was already used in {@code scope}; {@code request}
     * identifies the request (compared by the hash of its canonical JSON). Without a key, simply creates.
     */
    public Outcome createOnce(String scope, String key, Object request, Supplier<Run> create) {
        if (key == null) {
            return tx.execute(s -> new Outcome(create.get(), true));
        }
        if (!VALID.matcher(key).matches()) {
            throw ApiException.badRequest(
                    "invalid-idempotency-key", "Idempotency-Key must be 1-255 printable ASCII characters.");
        }
        String hash = Digests.sha256Hex(canonicalJson.writeValueAsString(request));
        return tx.execute(s -> {
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:scope || '/' || :key, 0))")
                    .param("scope", scope)
                    .param("key", key)
                    .query(Object.class)
                    .single();
            Optional<Map<String, Object>> earlier = jdbc
                    .sql("SELECT run_id, request_sha256 FROM registry.idempotency_keys"
                            + " WHERE scope = :scope AND key = :key")
                    .param("scope", scope)
                    .param("key", key)
                    .query()
                    .listOfRows()
                    .stream()
                    .findFirst();
            if (earlier.isPresent()) {
                if (!hash.equals(earlier.get().get("request_sha256"))) {
                    throw ApiException.conflict(
                            "idempotency-key-reused",
                            "This Idempotency-Key was already used for a different request; use a new key for a new"
                                    + " submission.");
                }
                return new Outcome(registry.get((UUID) earlier.get().get("run_id")), false);
            }
            Run run = create.get();
            jdbc.sql("INSERT INTO registry.idempotency_keys (scope, key, request_sha256, run_id)"
                            + " VALUES (:scope, :key, :hash, :run)")
                    .param("scope", scope)
                    .param("key", key)
                    .param("hash", hash)
                    .param("run", run.id())
                    .update();
            return new Outcome(run, true);
        });
    }
}

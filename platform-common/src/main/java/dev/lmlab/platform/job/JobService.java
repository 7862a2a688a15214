package dev.lmlab.platform.job;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts job submissions: binds params, registers the run and schedules its job in one transaction, so an
 * accepted submission is never lost and a crash between the two leaves neither behind.
 */
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final String service;
    private final JobCatalog catalog;
    private final RunRegistry registry;
    private final SchedulerClient scheduler;
    private final OneTimeTask<Void> jobTask;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper canonicalJson;

    public JobService(
            String service,
            JobCatalog catalog,
            RunRegistry registry,
            SchedulerClient scheduler,
            OneTimeTask<Void> jobTask,
            JdbcClient jdbc,
            TransactionTemplate tx,
            JsonMapper json) {
        this.service = service;
        this.catalog = catalog;
        this.registry = registry;
        this.scheduler = scheduler;
        this.jobTask = jobTask;
        this.jdbc = jdbc;
        this.tx = tx;
        this.canonicalJson = json.rebuild()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }

    /** A submission's outcome: the run, and whether this call created it or replayed an earlier one. */
    public record Submission(Run run, boolean created) {}

    public Submission submit(JobRequest request, Caller caller, String idempotencyKey) {
        JobHandler<?> handler = catalog.require(request.kind());
        return submitBound(handler, request, caller, idempotencyKey);
    }

    private <P> Submission submitBound(JobHandler<P> handler, JobRequest request, Caller caller, String key) {
        P params = catalog.bind(handler, request.params());
        // store the params the job will really see, defaults filled in: the run then documents itself
        JsonNode effective = canonicalJson.valueToTree(params);
        String name = request.name() == null || request.name().isBlank() ? handler.defaultName(params) : request.name();
        NewRun newRun = new NewRun(
                service, handler.kind(), name, effective, request.tags(), request.parentRunId(), caller.keyName());
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiException.badRequest(
                    "invalid-idempotency-key", "Idempotency-Key must be 1-255 printable ASCII characters.");
        }
        return tx.execute(s -> {
            String scope = service + ":" + caller.keyId();
            String requestHash = key == null ? null : sha256(canonicalJson.writeValueAsString(newRun));
            if (key != null) {
                jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:scope || '/' || :key, 0))")
                        .param("scope", scope)
                        .param("key", key)
                        .query(Object.class)
                        .single();
                Optional<Map<String, Object>> earlier =
                        jdbc.sql("""
                                SELECT run_id, request_sha256 FROM registry.idempotency_keys
                                WHERE scope = :scope AND key = :key
                                """).param("scope", scope).param("key", key).query().listOfRows().stream()
                                .findFirst();
                if (earlier.isPresent()) {
                    if (!requestHash.equals(earlier.get().get("request_sha256"))) {
                        throw ApiException.conflict(
                                "idempotency-key-reused",
                                "This Idempotency-Key was already used for a different request; use a new key for"
                                        + " a new submission.");
                    }
                    return new Submission(registry.get((UUID) earlier.get().get("run_id")), false);
                }
            }
            Run run = registry.create(newRun);
            if (key != null) {
                jdbc.sql("""
                        INSERT INTO registry.idempotency_keys (scope, key, request_sha256, run_id)
                        VALUES (:scope, :key, :hash, :run)
                        """)
                        .param("scope", scope)
                        .param("key", key)
                        .param("hash", requestHash)
                        .param("run", run.id())
                        .update();
            }
            scheduler.schedule(jobTask.instance(run.id().toString()), Instant.now());
            log.info("Accepted {} job as run {} for {}", handler.kind(), run.id(), caller.keyName());
            return new Submission(run, true);
        });
    }

    /** The kinds with their descriptions and default params, for discovery. */
    public Map<String, Object> describeKinds() {
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (JobHandler<?> h : catalog.handlers()) {
            kinds.put(
                    h.kind(),
                    Map.of(
                            "description",
                            h.description(),
                            "default_params",
                            canonicalJson.valueToTree(h.defaultParams())));
        }
        return kinds;
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

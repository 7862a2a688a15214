package dev.lmlab.platform.run;

import dev.lmlab.platform.web.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The shared run registry: runs, their metric history, artifacts and events, in the {@code registry} schema.
 * Every method is safe to call from any service or the gateway; status changes are checked in SQL, so two
 * processes racing on one run cannot both win.
 */
public class RunRegistry {

    /** A page may hold at most this many runs. */
    public static final int MAX_PAGE_SIZE = 500;
    /** One call may log at most this many metric points (jobs batch far fewer). */
    public static final int MAX_METRIC_BATCH = 100_000;

    private static final Pattern METRIC_KEY = Pattern.compile("[A-Za-z0-9_./:\\- ]{1,250}");
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final TransactionTemplate tx;

    public RunRegistry(JdbcClient jdbc, JsonMapper json, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.json = json;
        this.tx = tx;
    }

    // ---- runs

    public Run create(NewRun run) {
        UUID id = UUID.randomUUID();
        if (run.parentId() != null && find(run.parentId()).isEmpty()) {
            throw ApiException.badRequest(
                    "parent-run-not-found", "The parent run " + run.parentId() + " does not exist.");
        }
        return tx.execute(status -> {
            jdbc.sql("""
                            INSERT INTO registry.runs
                                (id, service, kind, name, status, params, tags, parent_id, created_by)
                            VALUES (:id, :service, :kind, :name, 'QUEUED', :params::jsonb, :tags::jsonb, :parent,
                                    :createdBy)
                            """)
                    .param("id", id)
                    .param("service", run.service())
                    .param("kind", run.kind())
                    .param("name", run.name())
                    .param(
                            "params",
                            json.writeValueAsString(
                                    run.params() == null ? JsonNodeFactory.instance.objectNode() : run.params()))
                    .param("tags", json.writeValueAsString(run.tags()))
                    .param("parent", run.parentId())
                    .param("createdBy", run.createdBy())
                    .update();
            appendEvent(id, "status", Map.of("status", RunStatus.QUEUED.name()));
            return get(id);
        });
    }

    public Optional<Run> find(UUID id) {
        return jdbc.sql("SELECT * FROM registry.runs WHERE id = :id")
                .param("id", id)
                .query(this::mapRun)
                .optional();
    }

    public Run get(UUID id) {
        return find(id).orElseThrow(() -> notFound(id));
    }

    public RunPage list(RunFilter filter, int page, int size) {
        if (page < 0) {
            throw ApiException.badRequest("invalid-page", "page must be 0 or more, got " + page);
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest(
                    "invalid-page-size", "size must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
        StringBuilder where = new StringBuilder(" WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        if (filter.service() != null) {
            where.append(" AND service = :service");
            params.put("service", filter.service());
        }
        if (filter.kind() != null) {
            where.append(" AND kind = :kind");
            params.put("kind", filter.kind());
        }
        if (!filter.statuses().isEmpty()) {
            where.append(" AND status IN (:statuses)");
            params.put("statuses", filter.statuses().stream().map(Enum::name).toList());
        }
        if (filter.parentId() != null) {
            where.append(" AND parent_id = :parent");
            params.put("parent", filter.parentId());
        }
        if (filter.createdAfter() != null) {
            where.append(" AND created_at >= :after");
            params.put("after", Timestamp.from(filter.createdAfter()));
        }
        if (filter.createdBefore() != null) {
            where.append(" AND created_at < :before");
            params.put("before", Timestamp.from(filter.createdBefore()));
        }
        int t = 0;
        for (Map.Entry<String, String> tag : filter.tags().entrySet()) {
            String name = "tag" + t++;
            if (tag.getValue() == null) {
                where.append(" AND jsonb_exists(tags, :").append(name).append(")");
                params.put(name, tag.getKey());
            } else {
                where.append(" AND tags @> :").append(name).append("::jsonb");
                params.put(name, json.writeValueAsString(Map.of(tag.getKey(), tag.getValue())));
            }
        }
        long total = jdbc.sql("SELECT count(*) FROM registry.runs" + where)
                .params(params)
                .query(Long.class)
                .single();
        List<Run> items = jdbc.sql("SELECT * FROM registry.runs" + where
                        + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
                .params(params)
                .param("limit", size)
                .param("offset", (long) page * size)
                .query(this::mapRun)
                .list();
        return new RunPage(items, page, size, total);
    }

    /**
     * Moves a run to {@code next} if its current status allows it, and records a status event. Refused with
     * 409 otherwise, naming the current status.
     */
    public Run transition(UUID id, RunStatus next, String error) {
        if (next.predecessors().isEmpty()) {
            throw transitionRefused(get(id), next);
        }
        return tx.execute(s -> {
            int updated = jdbc.sql("""
                            UPDATE registry.runs SET status = :next, error = :error, updated_at = now(),
                                   started_at = CASE WHEN :next = 'RUNNING' THEN now() ELSE started_at END,
                                   finished_at = CASE WHEN :terminal THEN now() ELSE finished_at END,
                                   progress = CASE WHEN :next = 'SUCCEEDED' THEN 1 ELSE progress END
                            WHERE id = :id AND status IN (:from)
                            """)
                    .param("next", next.name())
                    .param("error", error)
                    .param("terminal", next.isTerminal())
                    .param("id", id)
                    .param("from", next.predecessors().stream().map(Enum::name).toList())
                    .update();
            if (updated == 0) {
                throw transitionRefused(get(id), next);
            }
            appendStatusEvent(id, next, error);
            return get(id);
        });
    }

    /**
     * Asks a run to stop. A queued run is cancelled at once; a running one gets the cancel flag, which its job
     * reads between steps; a finished run cannot be cancelled (409).
     */
    public Run requestCancel(UUID id) {
        return tx.execute(s -> {
            Run run = jdbc.sql("SELECT * FROM registry.runs WHERE id = :id FOR UPDATE")
                    .param("id", id)
                    .query(this::mapRun)
                    .optional()
                    .orElseThrow(() -> notFound(id));
            if (run.status() == RunStatus.QUEUED) {
                return transition(id, RunStatus.CANCELLED, "cancelled before it started");
            }
            if (run.status() != RunStatus.RUNNING) {
                throw transitionRefused(run, RunStatus.CANCELLED);
            }
            if (!run.cancelRequested()) {
                jdbc.sql("UPDATE registry.runs SET cancel_requested = true, updated_at = now() WHERE id = :id")
                        .param("id", id)
                        .update();
                appendEvent(id, "cancel_requested", Map.of());
            }
            return get(id);
        });
    }

    /** Sets the progress of a queued or running run and records a progress event; 409 once it has finished. */
    public void setProgress(UUID id, double progress) {
        checkProgress(progress);
        tx.executeWithoutResult(s -> {
            int updated = jdbc.sql("""
                            UPDATE registry.runs SET progress = :p, updated_at = now()
                            WHERE id = :id AND status IN ('QUEUED', 'RUNNING')
                            """).param("p", progress).param("id", id).update();
            if (updated == 0) {
                Run run = get(id);
                throw ApiException.conflict(
                                "run-finished", "Run " + id + " is " + run.status() + "; its progress is final.")
                        .with("current_status", run.status().name());
            }
            appendEvent(id, "progress", Map.of("progress", progress));
        });
    }

    public static void checkProgress(double progress) {
        if (!(progress >= 0 && progress <= 1)) {
            throw ApiException.badRequest("invalid-progress", "progress must be within 0..1, got " + progress);
        }
    }

    // ---- metrics

    /** Appends metric points in one statement; keys are checked first, so a bad batch writes nothing. */
    public void logMetrics(UUID runId, List<MetricPoint> points) {
        if (points.isEmpty()) {
            return;
        }
        if (points.size() > MAX_METRIC_BATCH) {
            throw ApiException.badRequest(
                    "metric-batch-too-large",
                    "At most " + MAX_METRIC_BATCH + " points per call, got " + points.size() + "; split the batch.");
        }
        int n = points.size();
        String[] keys = new String[n];
        long[] steps = new long[n];
        double[] values = new double[n];
        Timestamp[] times = new Timestamp[n];
        Timestamp now = Timestamp.from(Instant.now());
        for (int i = 0; i < n; i++) {
            MetricPoint p = points.get(i);
            if (p.key() == null || !METRIC_KEY.matcher(p.key()).matches()) {
                throw ApiException.badRequest(
                                "invalid-metric-key",
                                "Metric key #" + i + " '" + p.key()
                                        + "' must be 1-250 letters, digits, spaces or _ . / : -")
                        .with("index", i);
            }
            keys[i] = p.key();
            steps[i] = p.step();
            values[i] = p.value();
            times[i] = p.loggedAt() == null ? now : Timestamp.from(p.loggedAt());
        }
        try {
            jdbc.sql("""
                    INSERT INTO registry.run_metrics (run_id, key, step, value, logged_at)
                    SELECT :run, k, s, v, t FROM unnest(:keys::text[], :steps::bigint[], :values::float8[],
                                                        :times::timestamptz[]) AS u(k, s, v, t)
                    """)
                    .param("run", runId)
                    .param("keys", keys)
                    .param("steps", steps)
                    .param("values", values)
                    .param("times", times)
                    .update();
        } catch (DataIntegrityViolationException e) {
            throw notFound(runId);
        }
    }

    /** The history of one metric, ordered by step then time, from {@code fromStep} on, at most {@code limit}. */
    public List<MetricPoint> metricHistory(UUID runId, String key, long fromStep, int limit) {
        return jdbc.sql("""
                        SELECT key, step, value, logged_at FROM registry.run_metrics
                        WHERE run_id = :run AND key = :key AND step >= :from
                        ORDER BY step, logged_at LIMIT :limit
                        """)
                .param("run", runId)
                .param("key", key)
                .param("from", fromStep)
                .param("limit", limit)
                .query((rs, i) -> new MetricPoint(
                        rs.getString("key"), rs.getLong("step"), rs.getDouble("value"), instant(rs, "logged_at")))
                .list();
    }

    /** Each metric key of a run with its point count and its latest point. */
    public List<MetricSummary> metricSummaries(UUID runId) {
        return jdbc.sql("""
                        SELECT DISTINCT ON (key) key, step, value,
                               count(*) OVER (PARTITION BY key) AS points
                        FROM registry.run_metrics WHERE run_id = :run
                        ORDER BY key, step DESC, logged_at DESC
                        """)
                .param("run", runId)
                .query((rs, i) -> new MetricSummary(
                        rs.getString("key"), rs.getLong("points"), rs.getLong("step"), rs.getDouble("value")))
                .list();
    }

    /** A metric key's size and its last value. */
    public record MetricSummary(String key, long points, long lastStep, double lastValue) {}

    /** Removes every point at or after {@code fromStep}: a resumed job redoes that work and logs it again. */
    public int truncateMetrics(UUID runId, long fromStep) {
        return jdbc.sql("DELETE FROM registry.run_metrics WHERE run_id = :run AND step >= :from")
                .param("run", runId)
                .param("from", fromStep)
                .update();
    }

    // ---- artifacts

    public void addArtifact(UUID runId, Artifact a) {
        try {
            jdbc.sql("""
                    INSERT INTO registry.run_artifacts (run_id, name, uri, sha256, size_bytes, media_type)
                    VALUES (:run, :name, :uri, :sha, :size, :type)
                    ON CONFLICT (run_id, name) DO UPDATE SET uri = excluded.uri, sha256 = excluded.sha256,
                        size_bytes = excluded.size_bytes, media_type = excluded.media_type, created_at = now()
                    """)
                    .param("run", runId)
                    .param("name", a.name())
                    .param("uri", a.uri())
                    .param("sha", a.sha256())
                    .param("size", a.sizeBytes())
                    .param("type", a.mediaType())
                    .update();
        } catch (DataIntegrityViolationException e) {
            if (find(runId).isEmpty()) {
                throw notFound(runId);
            }
            throw ApiException.badRequest(
                    "invalid-artifact",
                    "Artifact '" + a.name()
                            + "' was refused: sha256 must be 64 lower-case hex digits and size 0 or more.");
        }
    }

    public List<Artifact> artifacts(UUID runId) {
        return jdbc.sql("SELECT * FROM registry.run_artifacts WHERE run_id = :run ORDER BY created_at, name")
                .param("run", runId)
                .query((rs, i) -> new Artifact(
                        rs.getString("name"),
                        rs.getString("uri"),
                        rs.getString("sha256"),
                        (Long) rs.getObject("size_bytes"),
                        rs.getString("media_type"),
                        instant(rs, "created_at")))
                .list();
    }

    // ---- events

    public long appendEvent(UUID runId, String type, Object data) {
        return jdbc.sql("INSERT INTO registry.run_events (run_id, type, data) VALUES (:run, :type, :data::jsonb)"
                        + " RETURNING seq")
                .param("run", runId)
                .param("type", type)
                .param("data", json.writeValueAsString(data))
                .query(Long.class)
                .single();
    }

    public void appendStatusEvent(UUID runId, RunStatus status, String error) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status.name());
        if (error != null) {
            data.put("error", error);
        }
        appendEvent(runId, "status", data);
    }

    /** Events of a run after {@code afterSeq} (exclusive), oldest first. */
    public List<RunEvent> events(UUID runId, long afterSeq, int limit) {
        return jdbc.sql("""
                        SELECT seq, run_id, type, data, created_at FROM registry.run_events
                        WHERE run_id = :run AND seq > :after ORDER BY seq LIMIT :limit
                        """)
                .param("run", runId)
                .param("after", afterSeq)
                .param("limit", limit)
                .query((rs, i) -> new RunEvent(
                        rs.getLong("seq"),
                        rs.getObject("run_id", UUID.class),
                        rs.getString("type"),
                        json.readTree(rs.getString("data")),
                        instant(rs, "created_at")))
                .list();
    }

    // ---- mapping

    private Run mapRun(ResultSet rs, int row) throws SQLException {
        return new Run(
                rs.getObject("id", UUID.class),
                rs.getString("service"),
                rs.getString("kind"),
                rs.getString("name"),
                RunStatus.valueOf(rs.getString("status")),
                json.readTree(rs.getString("params")),
                json.readValue(rs.getString("tags"), TAGS),
                rs.getObject("parent_id", UUID.class),
                rs.getDouble("progress"),
                rs.getString("error"),
                rs.getString("created_by"),
                rs.getInt("attempt"),
                rs.getString("worker"),
                rs.getBoolean("cancel_requested"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "updated_at"),
                instant(rs, "heartbeat_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    public static ApiException notFound(UUID id) {
        return ApiException.notFound("run-not-found", "No run with id " + id + ".")
                .with("run_id", id);
    }

    static ApiException transitionRefused(Run run, RunStatus next) {
        List<String> allowed = new ArrayList<>();
        for (RunStatus s : RunStatus.values()) {
            if (run.status().canBecome(s)) {
                allowed.add(s.name());
            }
        }
        return ApiException.conflict(
                        "illegal-transition",
                        "Run " + run.id() + " is " + run.status() + " and cannot become " + next
                                + (allowed.isEmpty() ? " (it has finished)." : "; allowed next: " + allowed + "."))
                .with("current_status", run.status().name())
                .with("requested_status", next.name())
                .with("allowed", allowed);
    }
}

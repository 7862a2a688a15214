package dev.lmlab.interp.sets;

import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Activation sets in the interp schema. */
@Component
public class ActivationSetStore {

    private static final TypeReference<Map<String, Map<String, Integer>>> COUNTS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Integer>> WIDTHS = new TypeReference<>() {};
    private static final String COLUMNS = "SELECT id, name, model, hooks, pooling, row_count, label_counts, folder,"
            + " status, widths, created_by, created_at, completed_at FROM interp.activation_sets";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    private final RunRegistry registry;

    public ActivationSetStore(JdbcClient jdbc, JsonMapper json, RunRegistry registry) {
        this.jdbc = jdbc;
        this.json = json;
        this.registry = registry;
    }

    /** Registers a set as capturing; a revived capture finds its row there and keeps it. */
    void begin(ActivationSet set) {
        jdbc.sql("INSERT INTO interp.activation_sets (id, name, model, hooks, pooling, row_count, label_counts, folder,"
                        + " status, created_by) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, 'capturing', ?)"
                        + " ON CONFLICT (id) DO NOTHING")
                .params(
                        set.id(),
                        set.name(),
                        set.model(),
                        set.hooks().toArray(String[]::new),
                        set.pooling(),
                        set.rowCount(),
                        json.writeValueAsString(set.labelCounts()),
                        set.folder(),
                        set.createdBy())
                .update();
    }

    void ready(UUID id, Map<String, Integer> widths) {
        jdbc.sql("UPDATE interp.activation_sets SET status = 'ready', widths = ?::jsonb, "
                        + "completed_at = now() WHERE id = ?")
                .params(json.writeValueAsString(widths), id)
                .update();
    }

    /**
     * The set; one still marked capturing whose run ended without success reads as failed (the run says why), so a
     * capture that died or was cancelled needs no cleanup to be reported right.
     */
    public Optional<ActivationSet> find(UUID id) {
        return jdbc.sql(COLUMNS + " WHERE id = ?")
                .param(id)
                .query(this::row)
                .optional()
                .map(this::withRunStatus);
    }

    private ActivationSet withRunStatus(ActivationSet s) {
        if (!s.status().equals(ActivationSet.CAPTURING)) {
            return s;
        }
        boolean ended = registry.find(s.id()).map(r -> r.status().isTerminal()).orElse(true);
        return !ended
                ? s
                : new ActivationSet(
                        s.id(),
                        s.name(),
                        s.model(),
                        s.hooks(),
                        s.pooling(),
                        s.rowCount(),
                        s.labelCounts(),
                        s.folder(),
                        ActivationSet.FAILED,
                        s.widths(),
                        s.createdBy(),
                        s.createdAt(),
                        s.completedAt());
    }

    /** The set, ready to read; 404 when unknown, 409 while capturing or after a failed capture. */
    public ActivationSet ready(UUID id) {
        ActivationSet set = find(id).orElseThrow(
                        () -> ApiException.notFound("unknown-activation-set", "no activation set " + id)
                                .with("set", id.toString()));
        if (!set.status().equals(ActivationSet.READY)) {
            throw ApiException.conflict(
                            "activation-set-not-ready",
                            "activation set " + id + " is " + set.status() + "; follow its run at /api/runs/" + id)
                    .with("status", set.status());
        }
        return set;
    }

    public List<ActivationSet> list(String model, int limit) {
        return jdbc
                .sql(COLUMNS + " WHERE (CAST(:model AS TEXT) IS NULL OR model = :model)"
                        + " ORDER BY created_at DESC LIMIT :limit")
                .param("model", model)
                .param("limit", limit)
                .query(this::row)
                .list()
                .stream()
                .map(this::withRunStatus)
                .toList();
    }

    private ActivationSet row(ResultSet rs, int n) throws SQLException {
        String widths = rs.getString("widths");
        return new ActivationSet(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("model"),
                strings(rs.getArray("hooks")),
                rs.getString("pooling"),
                rs.getInt("row_count"),
                json.readValue(rs.getString("label_counts"), COUNTS),
                rs.getString("folder"),
                rs.getString("status"),
                widths == null ? Map.of() : json.readValue(widths, WIDTHS),
                rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("completed_at", OffsetDateTime.class));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}

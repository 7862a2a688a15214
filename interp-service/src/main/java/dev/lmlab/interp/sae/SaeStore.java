package dev.lmlab.interp.sae;

import dev.lmlab.platform.web.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Registered SAEs in the interp schema. */
@Component
public class SaeStore {

    private static final String COLUMNS = "SELECT id, name, model, hook, d_in, d_sae, k, folder, source, run_id,"
            + " metrics, created_by, created_at FROM interp.saes";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public SaeStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Registers an SAE; a revived training run that registered it already gets the one it made. */
    public StoredSae save(StoredSae sae) {
        if (sae.runId() != null) {
            Optional<StoredSae> mine = byRun(sae.runId(), sae.hook());
            if (mine.isPresent()) {
                return mine.get();
            }
        }
        try {
            jdbc.sql("INSERT INTO interp.saes (id, name, model, hook, d_in, d_sae, k, folder, source, run_id, metrics,"
                            + " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)")
                    .params(
                            sae.id(),
                            sae.name(),
                            sae.model(),
                            sae.hook(),
                            sae.dIn(),
                            sae.dSae(),
                            sae.k(),
                            sae.folder(),
                            sae.source(),
                            sae.runId(),
                            sae.metrics() == null ? null : json.writeValueAsString(sae.metrics()),
                            sae.createdBy())
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict(
                            "sae-name-taken",
                            "model '" + sae.model() + "' already has an SAE '" + sae.name() + "' at " + sae.hook())
                    .with("field", "name");
        }
        return find(sae.id()).orElseThrow();
    }

    public void metrics(UUID id, JsonNode metrics) {
        jdbc.sql("UPDATE interp.saes SET metrics = ?::jsonb WHERE id = ?")
                .params(json.writeValueAsString(metrics), id)
                .update();
    }

    public boolean nameTaken(String model, String hook, String name) {
        return jdbc.sql("SELECT count(*) FROM interp.saes WHERE model = ? AND hook = ? AND name = ?")
                        .params(model, hook, name)
                        .query(Long.class)
                        .single()
                > 0;
    }

    public Optional<StoredSae> find(UUID id) {
        return jdbc.sql(COLUMNS + " WHERE id = ?").param(id).query(this::row).optional();
    }

    public StoredSae require(UUID id) {
        return find(id).orElseThrow(() ->
                ApiException.notFound("unknown-sae", "no SAE " + id).with("sae", id.toString()));
    }

    /** The SAE a run trained at a hook (a sweep trains one per hook). */
    Optional<StoredSae> byRun(UUID runId, String hook) {
        return jdbc.sql(COLUMNS + " WHERE run_id = ? AND hook = ?")
                .params(runId, hook)
                .query(this::row)
                .optional();
    }

    public List<StoredSae> list(String model, int limit) {
        return jdbc.sql(COLUMNS + " WHERE (CAST(:model AS TEXT) IS NULL OR model = :model)"
                        + " ORDER BY created_at DESC LIMIT :limit")
                .param("model", model)
                .param("limit", limit)
                .query(this::row)
                .list();
    }

    private StoredSae row(ResultSet rs, int n) throws SQLException {
        String metrics = rs.getString("metrics");
        return new StoredSae(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("model"),
                rs.getString("hook"),
                rs.getInt("d_in"),
                rs.getInt("d_sae"),
                rs.getObject("k", Integer.class),
                rs.getString("folder"),
                rs.getString("source"),
                rs.getObject("run_id", UUID.class),
                metrics == null ? null : json.readTree(metrics),
                rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class));
    }
}

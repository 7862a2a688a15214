package dev.lmlab.eval.triggers;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Triggers and the events they acted on, in the eval schema. */
@Component
class TriggerStore {

    private static final String COLUMNS =
            "SELECT id, name, event, rule, enabled, created_by, created_at FROM eval.triggers";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final RowMapper<Trigger> row;

    TriggerStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.row = (rs, n) -> new Trigger(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                json.readValue(rs.getString(4), TriggerRule.class),
                rs.getBoolean(5),
                rs.getString(6),
                rs.getObject(7, OffsetDateTime.class).toInstant());
    }

    /** @return false when the name is taken */
    boolean insert(Trigger t) {
        return jdbc.sql("INSERT INTO eval.triggers (id, name, event, rule, enabled, created_by) "
                                + "VALUES (?, ?, ?, ?::jsonb,"
                                + " ?, ?) ON CONFLICT (name) DO NOTHING")
                        .params(
                                t.id(),
                                t.name(),
                                t.event(),
                                json.writeValueAsString(t.rule()),
                                t.enabled(),
                                t.createdBy())
                        .update()
                > 0;
    }

    Optional<Trigger> find(UUID id) {
        return jdbc.sql(COLUMNS + " WHERE id = ?").param(id).query(row).optional();
    }

    Optional<Trigger> findByName(String name) {
        return jdbc.sql(COLUMNS + " WHERE name = ?").param(name).query(row).optional();
    }

    List<Trigger> list() {
        return jdbc.sql(COLUMNS + " ORDER BY created_at").query(row).list();
    }

    List<Trigger> enabled(String event) {
        return jdbc.sql(COLUMNS + " WHERE event = ? AND enabled ORDER BY created_at")
                .param(event)
                .query(row)
                .list();
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM eval.triggers WHERE id = ?").param(id).update() > 0;
    }

    void recordFiring(UUID trigger, String eventKey, List<String> runIds) {
        jdbc.sql("INSERT INTO eval.trigger_firings (trigger_id, event_key, run_ids) VALUES (?, ?, ?::jsonb)"
                        + " ON CONFLICT (trigger_id, event_key) DO UPDATE SET run_ids = EXCLUDED.run_ids")
                .params(trigger, eventKey, json.writeValueAsString(runIds))
                .update();
    }

    /** The latest firings of a trigger: event key, runs started, when. */
    List<Map<String, Object>> firings(UUID trigger, int limit) {
        return jdbc.sql("SELECT event_key, run_ids, fired_at FROM eval.trigger_firings WHERE trigger_id = ?"
                        + " ORDER BY fired_at DESC LIMIT ?")
                .params(trigger, limit)
                .query((rs, n) -> Map.<String, Object>of(
                        "event_key", rs.getString(1),
                        "run_ids", json.readValue(rs.getString(2), new TypeReference<List<String>>() {}),
                        "fired_at", rs.getObject(3, OffsetDateTime.class).toInstant()))
                .list();
    }
}

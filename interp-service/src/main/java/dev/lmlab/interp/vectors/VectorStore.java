package dev.lmlab.interp.vectors;

import dev.lmlab.platform.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stored vectors, as little-endian float32 bytes. A name is unique per (model, hook) and follows the identifier
 * syntax of steering-vector expressions, so every stored vector can be named in one.
 */
@Component
public class VectorStore {

    public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,99}");
    private static final String COLUMNS =
            "SELECT id, name, model, hook, layer, width, norm, kind, data, provenance, created_by, "
                    + "created_at FROM interp.vectors";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public VectorStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public static void requireName(String name, String field) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest(
                            "invalid-vector-name",
                            field + " is a name usable in expressions: a letter or '_', then letters, digits, '_' or"
                                    + " '.', at most 100 characters")
                    .with("field", field);
        }
    }

    /** Stores a vector; a name taken for this model and hook is a 409 naming the vector that has it. */
    public StoredVector save(
            String name, String model, String hook, String kind, float[] values, JsonNode provenance, String by) {
        requireName(name, "name");
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw ApiException.badRequest("invalid-vector", "the vector '" + name + "' has a non-finite value");
            }
        }
        UUID id = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try {
            jdbc.sql("INSERT INTO interp.vectors (id, name, model, hook, layer, width, norm, kind, data, provenance,"
                            + " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)")
                    .params(
                            id,
                            name,
                            model,
                            hook,
                            StoredVector.layerOf(hook),
                            values.length,
                            StoredVector.norm(values),
                            kind,
                            bytes.array(),
                            json.writeValueAsString(provenance),
                            by)
                    .update();
        } catch (DuplicateKeyException e) {
            StoredVector taken = byName(model, hook, name).orElseThrow();
            throw ApiException.conflict(
                            "vector-name-taken",
                            "model '" + model + "' already has a vector '" + name + "' at " + hook + " (" + taken.id()
                                    + "); choose another name")
                    .with("vector_id", taken.id().toString());
        }
        return find(id).orElseThrow();
    }

    public Optional<StoredVector> find(UUID id) {
        return jdbc.sql(COLUMNS + " WHERE id = ?").param(id).query(this::row).optional();
    }

    public StoredVector require(UUID id) {
        return find(id).orElseThrow(() ->
                ApiException.notFound("unknown-vector", "no vector " + id).with("vector_id", id.toString()));
    }

    public Optional<StoredVector> byName(String model, String hook, String name) {
        return jdbc.sql(COLUMNS + " WHERE model = ? AND hook = ? AND name = ?")
                .params(model, hook, name)
                .query(this::row)
                .optional();
    }

    /** Every vector of a model at a hook, by name: the namespace an expression is evaluated in. */
    public Map<String, StoredVector> namespace(String model, String hook) {
        Map<String, StoredVector> out = new java.util.TreeMap<>();
        list(model, hook, 10_000).forEach(v -> out.put(v.name(), v));
        return out;
    }

    public List<StoredVector> list(String model, String hook, int limit) {
        return jdbc.sql(COLUMNS + " WHERE (CAST(:model AS TEXT) IS NULL OR model = :model)"
                        + " AND (CAST(:hook AS TEXT) IS NULL OR hook = :hook) ORDER BY created_at DESC LIMIT :limit")
                .param("model", model)
                .param("hook", hook)
                .param("limit", limit)
                .query(this::row)
                .list();
    }

    public boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM interp.vectors WHERE id = ?").param(id).update() > 0;
    }

    private StoredVector row(ResultSet rs, int n) throws SQLException {
        byte[] data = rs.getBytes("data");
        float[] values = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new StoredVector(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("model"),
                rs.getString("hook"),
                rs.getObject("layer", Integer.class),
                rs.getInt("width"),
                rs.getDouble("norm"),
                rs.getString("kind"),
                values,
                json.readTree(rs.getString("provenance")),
                rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class));
    }
}

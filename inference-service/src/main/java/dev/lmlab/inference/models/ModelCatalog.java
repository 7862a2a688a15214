package dev.lmlab.inference.models;

import dev.lmlab.core.checkpoint.CheckpointException;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.inference.files.DataRoots;
import dev.lmlab.platform.web.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Which ids name which checkpoint folders; kept in the service's schema so registrations outlive restarts. */
@Component
public class ModelCatalog {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private static final String COLUMNS =
            "SELECT id, path, architecture, registered_by, created_at FROM inference.models";
    private static final RowMapper<RegisteredModel> ROW = (rs, n) -> new RegisteredModel(
            rs.getString(1),
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getObject(5, OffsetDateTime.class).toInstant());

    private final JdbcClient jdbc;
    private final DataRoots roots;

    public ModelCatalog(JdbcClient jdbc, DataRoots roots) {
        this.jdbc = jdbc;
        this.roots = roots;
    }

    /**
     * Registers {@code path} (relative to the models root) as {@code id} after checking that it holds a config
     * lm-core can serve. Registering the same id and path again is a no-op; another path under a taken id is a
     * conflict.
     */
    public RegisteredModel register(String id, String path, String caller) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.badRequest(
                            "invalid-model-id",
                            "a model id is 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or"
                                    + " digit;"
                                    + " got '" + id + "'")
                    .with("field", "id");
        }
        Path folder = roots.model(path);
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw ApiException.badRequest(
                    "not-a-checkpoint", "'" + path + "' has no config.json; register a Hugging Face checkpoint folder");
        }
        ModelConfig config;
        try {
            config = ModelConfig.read(folder.resolve("config.json"));
        } catch (CheckpointException | IllegalArgumentException e) {
            throw ApiException.badRequest("unsupported-checkpoint", "'" + path + "': " + e.getMessage());
        }
        String relative = roots.models().relativize(folder).toString();
        Optional<RegisteredModel> existing = find(id);
        if (existing.isPresent()) {
            if (existing.get().path().equals(relative)) {
                return existing.get();
            }
            throw ApiException.conflict(
                            "model-id-taken",
                            "'" + id + "' already names '" + existing.get().path() + "'; delete it first or pick"
                                    + " another id")
                    .with("path", existing.get().path());
        }
        jdbc.sql("INSERT INTO inference.models (id, path, architecture, registered_by) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (id) DO NOTHING")
                .params(id, relative, config.architecture(), caller)
                .update();
        return find(id).orElseThrow();
    }

    public Optional<RegisteredModel> find(String id) {
        return jdbc.sql(COLUMNS + " WHERE id = ?").param(id).query(ROW).optional();
    }

    public RegisteredModel get(String id) {
        return find(id).orElseThrow(() -> unknown(id));
    }

    public List<RegisteredModel> list() {
        return jdbc.sql(COLUMNS + " ORDER BY id").query(ROW).list();
    }

    public boolean delete(String id) {
        return jdbc.sql("DELETE FROM inference.models WHERE id = ?").param(id).update() > 0;
    }

    /** The checkpoint folder of a registered model. */
    public Path folder(RegisteredModel model) {
        return roots.model(model.path());
    }

    public ApiException unknown(String id) {
        List<String> ids = list().stream().map(RegisteredModel::id).toList();
        return ApiException.notFound(
                        "model-not-found",
                        "no model '" + id + "' is registered; register it with POST /models {id, path}")
                .with("models", ids);
    }
}

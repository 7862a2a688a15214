package dev.lmlab.inference.models;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.tiny.TinyModels;
import dev.lmlab.inference.files.DataRoots;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Registering, listing, loading and unloading models. */
@RestController
class ModelController {

    private final ModelCatalog catalog;
    private final LoadedModels loaded;
    private final DataRoots roots;

    ModelController(ModelCatalog catalog, LoadedModels loaded, DataRoots roots) {
        this.catalog = catalog;
        this.loaded = loaded;
        this.roots = roots;
    }

    record Registration(String id, String path) {}

    /**
     * A synthetic checkpoint written by lm-core (random weights, character tokenizer, chat template): a model to
     * try the platform with when no real one is at hand.
     */
    /** @param maxPositions the context length (default 256 for tiny): session benchmarks need long conversations */
    record TinyRequest(String id, String family, Long seed, String size, Integer maxPositions) {}

    @PostMapping("/models")
    ResponseEntity<Map<String, Object>> register(@RequestBody Registration body, HttpServletRequest request) {
        boolean existed = body.id() != null && catalog.find(body.id()).isPresent();
        RegisteredModel m =
                catalog.register(body.id(), body.path(), Caller.of(request).keyName());
        return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED)
                .body(describe(m));
    }

    @PostMapping("/models/tiny")
    ResponseEntity<Map<String, Object>> tiny(@RequestBody TinyRequest body, HttpServletRequest request) {
        ModelConfig.Family family = family(body.family());
        TinyModels.Size size = "bench-100m".equals(body.size()) ? TinyModels.Size.BENCH_100M : TinyModels.Size.TINY;
        if (body.size() != null && !body.size().equals("tiny") && !body.size().equals("bench-100m")) {
            throw ApiException.badRequest("invalid-size", "size is 'tiny' (about 50k parameters) or 'bench-100m'")
                    .with("field", "size");
        }
        if (body.maxPositions() != null) {
            if (body.maxPositions() < 16 || body.maxPositions() > 8192) {
                throw ApiException.badRequest("invalid-size", "max_positions is 16..8192")
                        .with("field", "max_positions");
            }
            size = new TinyModels.Size(
                    size.hidden(),
                    size.layers(),
                    size.heads(),
                    size.kvHeads(),
                    size.headDim(),
                    size.intermediate(),
                    body.maxPositions());
        }
        if (body.id() == null || !ModelCatalog.ID.matcher(body.id()).matches()) {
            throw ApiException.badRequest(
                            "invalid-model-id", "a model id is 1-128 letters, digits, '.', '_', ':'" + " or '-'")
                    .with("field", "id");
        }
        String relative = "tiny/" + body.id();
        Path folder = roots.models().resolve(relative);
        if (!Files.exists(folder.resolve("config.json"))) {
            TinyModels.write(folder, family, size, body.seed() == null ? 0 : body.seed(), 0.2);
        }
        boolean existed = catalog.find(body.id()).isPresent();
        RegisteredModel m =
                catalog.register(body.id(), relative, Caller.of(request).keyName());
        return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED)
                .body(describe(m));
    }

    @GetMapping("/models")
    Map<String, Object> list() {
        return Map.of("models", catalog.list().stream().map(this::describe).toList());
    }

    @GetMapping("/models/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return describe(catalog.get(id));
    }

    /** Loads a model now rather than on its first request. */
    @PostMapping("/models/{id}/load")
    Map<String, Object> load(@PathVariable String id) {
        loaded.worker(id);
        return describe(catalog.get(id));
    }

    /** Unloads a model (its accepted requests finish first) and forgets its registration; files stay. */
    @DeleteMapping("/models/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        catalog.get(id);
        loaded.unload(id);
        catalog.delete(id);
        return ResponseEntity.noContent().build();
    }

    /** OpenAI's model list. */
    @GetMapping("/v1/models")
    Map<String, Object> openAiList() {
        return Map.of(
                "object",
                "list",
                "data",
                catalog.list().stream().map(ModelController::openAi).toList());
    }

    @GetMapping("/v1/models/{id}")
    Map<String, Object> openAiGet(@PathVariable String id) {
        return openAi(catalog.get(id));
    }

    private static Map<String, Object> openAi(RegisteredModel m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("object", "model");
        out.put("created", m.createdAt().getEpochSecond());
        out.put("owned_by", m.registeredBy() == null ? "lmlab" : m.registeredBy());
        return out;
    }

    private Map<String, Object> describe(RegisteredModel m) {
        ModelConfig config = ModelConfig.read(catalog.folder(m).resolve("config.json"));
        return ModelInfo.describe(m, config, loaded.ifLoaded(m.id()).orElse(null));
    }

    private static ModelConfig.Family family(String name) {
        if (name == null) {
            throw ApiException.badRequest("family-required", "family is one of " + families())
                    .with("field", "family");
        }
        try {
            return ModelConfig.Family.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unknown-family", "family '" + name + "' is not one of " + families())
                    .with("field", "family");
        }
    }

    private static List<String> families() {
        return java.util.Arrays.stream(ModelConfig.Family.values())
                .map(f -> f.name().toLowerCase(Locale.ROOT))
                .toList();
    }
}

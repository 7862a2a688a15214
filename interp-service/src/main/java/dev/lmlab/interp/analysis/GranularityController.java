package dev.lmlab.interp.analysis;

import dev.lmlab.interp.sets.ActivationMatrix;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.interp.sets.ActivationSetStore;
import dev.lmlab.interp.sets.LabelFilter;
import dev.lmlab.interp.vectors.Directions;
import dev.lmlab.interp.vectors.Requests;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The granularity analysis over any ordered label of an activation set: per-label mean states, the contrast axis
 * between the top and bottom levels, PCA of the label means, projections by level with bootstrap intervals,
 * Spearman's ρ, and stability across layers, prompt variants, held-out label splits and endpoint definitions. Stored
 * with its request and two plots; the axis may be kept as a vector.
 */
@RestController
class GranularityController {

    private final ActivationSetStore sets;
    private final ActivationMatrix matrix;
    private final VectorStore vectors;
    private final DataRoot artifacts;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    GranularityController(
            ActivationSetStore sets,
            ActivationMatrix matrix,
            VectorStore vectors,
            DataRoot artifacts,
            JdbcClient jdbc,
            JsonMapper json) {
        this.sets = sets;
        this.matrix = matrix;
        this.vectors = vectors;
        this.artifacts = artifacts;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Operation(
            summary = "Granularity analysis: {set, label, level, levels, variant, hooks, primary_hook, filter,"
                    + " bootstrap, held_out_splits, seed, pca_components, save_axis}")
    @PostMapping("/analyses/granularity")
    ResponseEntity<Map<String, Object>> analyse(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{set, label, level, levels, ...}");
        Requests.allowOnly(
                body,
                "set",
                "label",
                "level",
                "levels",
                "variant",
                "hooks",
                "primary_hook",
                "filter",
                "bootstrap",
                "held_out_splits",
                "seed",
                "pca_components",
                "save_axis");
        ActivationSet set = sets.ready(Requests.uuid(body, "set"));
        ActivationMatrix.requirePooled(set, "set");
        String label = Requests.text(body, "label");
        String level = Requests.text(body, "level");
        requireLabel(set, label, "label");
        requireLabel(set, level, "level");
        String variant = body.hasNonNull("variant") ? Requests.text(body, "variant") : null;
        if (variant != null) {
            requireLabel(set, variant, "variant");
        }
        List<String> levels = levels(body.get("levels"), set, level);
        List<String> hooks = new ArrayList<>();
        if (body.hasNonNull("hooks")) {
            body.get("hooks").forEach(h -> hooks.add(h.asString()));
        } else {
            hooks.addAll(set.hooks());
        }
        String primary = body.hasNonNull("primary_hook") ? Requests.text(body, "primary_hook") : null;
        if (primary != null && !hooks.contains(primary)) {
            throw ApiException.badRequest("unknown-hook", "primary_hook must be one of the analysed hooks " + hooks)
                    .with("field", "primary_hook");
        }
        int bootstrap = range(body, "bootstrap", 2000, 100, 100_000);
        int splits = range(body, "held_out_splits", 20, 0, 1000);
        int components = range(body, "pca_components", 5, 1, 100);
        long seed = body.path("seed").asLong(0);

        List<Map<String, String>> labels = matrix.labels(set);
        LabelFilter filter = LabelFilter.parse(body.get("filter"), set, "filter");
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            Map<String, String> l = labels.get(i);
            if (filter.matches(l) && l.containsKey(label) && levels.contains(l.get(level))) {
                kept.add(i);
            }
        }
        if (kept.isEmpty()) {
            throw ApiException.badRequest("empty-group", "no row has a " + label + " at one of the levels " + levels)
                    .with("field", "levels");
        }
        String[] labelOfRow = new String[kept.size()];
        String[] variantOfRow = variant == null ? null : new String[kept.size()];
        Map<String, String> levelOfLabel = new HashMap<>();
        for (int k = 0; k < kept.size(); k++) {
            Map<String, String> l = labels.get(kept.get(k));
            labelOfRow[k] = l.get(label);
            String before = levelOfLabel.putIfAbsent(l.get(label), l.get(level));
            if (before != null && !before.equals(l.get(level))) {
                throw ApiException.badRequest(
                                "inconsistent-levels",
                                label + " '" + l.get(label) + "' appears at " + level + " " + before + " and "
                                        + l.get(level) + "; each " + label + " needs one " + level)
                        .with("field", "level");
            }
            if (variantOfRow != null) {
                variantOfRow[k] = l.getOrDefault(variant, "");
            }
        }
        ActivationMatrix.requireFits(set, hooks.size(), "hooks");
        LinkedHashMap<String, double[][]> rowsByHook = new LinkedHashMap<>();
        for (String hook : hooks) {
            double[][] all = matrix.rows(set, hook, "hooks");
            double[][] chosen = new double[kept.size()][];
            for (int k = 0; k < kept.size(); k++) {
                chosen[k] = all[kept.get(k)];
            }
            rowsByHook.put(hook, chosen);
        }
        GranularityResult result;
        try {
            result = GranularityAnalysis.run(
                    new GranularityInput(levels, rowsByHook, labelOfRow, levelOfLabel, variantOfRow),
                    new GranularityOptions(primary, bootstrap, splits, seed, components));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-analysis", e.getMessage());
        }

        UUID id = UUID.randomUUID();
        String folder = "analyses/" + id;
        write(folder + "/projection-by-level.png", result.projectionPlotPng());
        write(folder + "/stability-by-layer.png", result.stabilityPlotPng());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id.toString());
        answer.put("kind", "granularity");
        answer.put("set", set.id().toString());
        answer.put("model", set.model());
        answer.put("request", body);
        answer.put("result", result.json());
        answer.put(
                "plots",
                Map.of(
                        "projection_by_level", "/api/interp/analyses/" + id + "/plots/projection-by-level.png",
                        "stability_by_layer", "/api/interp/analyses/" + id + "/plots/stability-by-layer.png"));
        if (body.hasNonNull("save_axis")) {
            String name = Requests.text(body, "save_axis");
            String hook = primary != null ? primary : hooks.get(hooks.size() - 1);
            ObjectNode provenance = json.createObjectNode();
            provenance.put("method", "granularity_axis");
            provenance.put("analysis", id.toString());
            provenance.put("set", set.id().toString());
            provenance.put("label", label);
            provenance.put("level", level);
            provenance.set("levels", json.valueToTree(levels));
            StoredVector axis = vectors.save(
                    name,
                    set.model(),
                    hook,
                    "direction",
                    Directions.toFloats(result.axis()),
                    provenance,
                    Caller.of(http).keyName());
            answer.put("axis_vector_id", axis.id().toString());
        }
        write(folder + "/analysis.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer));
        jdbc.sql("INSERT INTO interp.analyses (id, kind, set_id, request, result, plots, created_by)"
                        + " VALUES (?, 'granularity', ?, ?::jsonb, ?::jsonb, ?, ?)")
                .params(
                        id,
                        set.id(),
                        json.writeValueAsString(body),
                        json.writeValueAsString(result.json()),
                        new String[] {"projection-by-level.png", "stability-by-layer.png"},
                        Caller.of(http).keyName())
                .update();
        return ResponseEntity.status(HttpStatus.CREATED).body(answer);
    }

    @Operation(summary = "A stored analysis: request, result and plot links")
    @GetMapping("/analyses/{id}")
    ResponseEntity<byte[]> get(@PathVariable UUID id) {
        return file(id, "analysis.json", MediaType.APPLICATION_JSON);
    }

    @Operation(summary = "An analysis plot (PNG): projection-by-level.png or stability-by-layer.png")
    @GetMapping("/analyses/{id}/plots/{name}")
    ResponseEntity<byte[]> plot(@PathVariable UUID id, @PathVariable String name) {
        if (!List.of("projection-by-level.png", "stability-by-layer.png").contains(name)) {
            throw ApiException.notFound("unknown-plot", "plots are projection-by-level.png and stability-by-layer.png");
        }
        return file(id, name, MediaType.IMAGE_PNG);
    }

    private ResponseEntity<byte[]> file(UUID id, String name, MediaType type) {
        Path file =
                artifacts.folder().resolve("analyses").resolve(id.toString()).resolve(name);
        if (!Files.exists(file)) {
            throw ApiException.notFound("unknown-analysis", "no analysis " + id);
        }
        try {
            return ResponseEntity.ok().contentType(type).body(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String relative, byte[] content) {
        JobOutput.writeWhole(artifacts.newPath(relative), content);
    }

    /** The level order: given, or the level values sorted as numbers when they all are. */
    private static List<String> levels(JsonNode given, ActivationSet set, String level) {
        Map<String, Integer> values = set.labelCounts().get(level);
        if (given != null && !given.isNull()) {
            if (!given.isArray() || given.size() < 2) {
                throw ApiException.badRequest("invalid-params", "levels lists at least two levels, bottom to top")
                        .with("field", "levels");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode v : given) {
                if (!values.containsKey(v.asString())) {
                    throw ApiException.badRequest(
                                    "unknown-label",
                                    "level '" + v.asString() + "' does not occur; levels are " + values.keySet())
                            .with("field", "levels");
                }
                out.add(v.asString());
            }
            return out;
        }
        try {
            List<String> out = new ArrayList<>(values.keySet());
            out.sort(java.util.Comparator.comparingDouble(Double::parseDouble));
            return out;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                            "invalid-params",
                            "the " + level + " values " + values.keySet() + " are not numbers: give their order as"
                                    + " levels, bottom to top")
                    .with("field", "levels");
        }
    }

    private static void requireLabel(ActivationSet set, String key, String field) {
        if (!set.labelCounts().containsKey(key)) {
            throw ApiException.badRequest(
                            "unknown-label",
                            "the set has no label '" + key + "'; its labels are "
                                    + set.labelCounts().keySet())
                    .with("field", field);
        }
    }

    private static int range(JsonNode body, String field, int fallback, int min, int max) {
        int v = body.path(field).asInt(fallback);
        if (v < min || v > max) {
            throw ApiException.badRequest("invalid-params", field + " is " + min + ".." + max)
                    .with("field", field);
        }
        return v;
    }
}

package dev.lmlab.interp.vectors;

import dev.lmlab.interp.sets.ActivationMatrix;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.interp.sets.ActivationSetStore;
import dev.lmlab.interp.sets.LabelFilter;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The vector store: contrast directions from activation sets ({@code POST /directions}), and reading vectors back;
 * {@code GET /vectors/{id}} is also what the inference service asks when a request names a {@code vector_id}.
 */
@RestController
class VectorController {

    private final VectorStore vectors;
    private final ActivationSetStore sets;
    private final ActivationMatrix matrix;
    private final JsonMapper json;

    VectorController(VectorStore vectors, ActivationSetStore sets, ActivationMatrix matrix, JsonMapper json) {
        this.vectors = vectors;
        this.sets = sets;
        this.matrix = matrix;
        this.json = json;
    }

    @Operation(
            summary = "A mean-difference direction: {set, hook, positive: {label: value}, negative, normalize, name}")
    @PostMapping("/directions")
    ResponseEntity<Map<String, Object>> direction(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{set, hook, positive, negative, normalize, name}");
        Requests.allowOnly(body, "set", "hook", "positive", "negative", "normalize", "name");
        ActivationSet set = sets.ready(Requests.uuid(body, "set"));
        String hook = Requests.text(body, "hook");
        LabelFilter positive = LabelFilter.parse(Requests.required(body, "positive"), set, "positive");
        LabelFilter negative = LabelFilter.parse(Requests.required(body, "negative"), set, "negative");
        boolean normalize = body.path("normalize").asBoolean(false);
        String name = body.path("name")
                .asString("direction_" + UUID.randomUUID().toString().substring(0, 8));
        VectorStore.requireName(name, "name");

        double[][] rows = matrix.rows(set, hook, "hook");
        List<Map<String, String>> labels = matrix.labels(set);
        int[] pos = LabelFilter.rows(labels, positive, "positive");
        int[] neg = LabelFilter.rows(labels, negative, "negative");
        double[] d = Directions.meanDifference(rows, pos, neg);
        double rawNorm = Directions.norm(d);
        if (rawNorm == 0) {
            throw ApiException.badRequest("degenerate-direction", "the two groups have the same mean at " + hook);
        }
        if (normalize) {
            for (int i = 0; i < d.length; i++) {
                d[i] /= rawNorm;
            }
        }
        ObjectNode provenance = json.createObjectNode();
        provenance.put("method", "mean_difference");
        provenance.put("set", set.id().toString());
        provenance.set("positive", json.valueToTree(positive.values()));
        provenance.set("negative", json.valueToTree(negative.values()));
        provenance.put("positive_rows", pos.length);
        provenance.put("negative_rows", neg.length);
        provenance.put("normalized", normalize);
        provenance.put("raw_norm", rawNorm);
        provenance.put("separation", Directions.separation(rows, pos, neg, d));
        StoredVector v = vectors.save(
                name,
                set.model(),
                hook,
                "direction",
                Directions.toFloats(d),
                provenance,
                Caller.of(http).keyName());
        return ResponseEntity.status(HttpStatus.CREATED).body(describe(v, false));
    }

    @Operation(summary = "Stored vectors, newest first (?model=&hook=), without their values")
    @GetMapping("/vectors")
    Map<String, Object> list(
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String hook,
            @RequestParam(defaultValue = "200") int limit) {
        if (limit < 1 || limit > 10_000) {
            throw ApiException.badRequest("invalid-params", "limit is 1..10000").with("field", "limit");
        }
        return Map.of(
                "vectors",
                vectors.list(model, hook, limit).stream()
                        .map(v -> describe(v, false))
                        .toList());
    }

    @Operation(summary = "One vector with its values (what an inference request's vector_id resolves to)")
    @GetMapping("/vectors/{id}")
    Map<String, Object> get(@PathVariable UUID id) {
        return describe(vectors.require(id), true);
    }

    @Operation(summary = "Delete a vector (requests naming it by id fail afterwards)")
    @DeleteMapping("/vectors/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        vectors.require(id);
        vectors.delete(id);
        return ResponseEntity.noContent().build();
    }

    static Map<String, Object> describe(StoredVector v, boolean values) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", v.id().toString());
        d.put("name", v.name());
        d.put("model", v.model());
        d.put("hook", v.hook());
        d.put("layer", v.layer());
        d.put("width", v.width());
        d.put("norm", v.norm());
        d.put("kind", v.kind());
        d.put("provenance", v.provenance());
        d.put("created_by", v.createdBy());
        d.put("created_at", v.createdAt());
        if (values) {
            d.put("vector", v.values());
        }
        return d;
    }
}

package dev.lmlab.interp.policy;

import dev.lmlab.interp.vectors.Requests;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Dynamic composition of stored trait vectors: a policy is a {@code compose} intervention whose terms the inference
 * service recomputes at every decoding step — a target-seeking term sets its coefficient to clamp(gain × (target −
 * p), min, max) from the projection p of the latest hidden state on the trait, a scheduled term follows its per-step
 * coefficients. The answer is the intervention itself, to put in any inference request's {@code interventions}.
 */
@RestController
class SteeringPolicyController {

    static final double MAX_COEFFICIENT = 1e4;

    private final VectorStore vectors;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    SteeringPolicyController(VectorStore vectors, JdbcClient jdbc, JsonMapper json) {
        this.vectors = vectors;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Operation(
            summary = "A compose policy over stored vectors: {name, model, hook, positions, terms: [{vector,"
                    + " coefficient | schedule | target, gain, min, max}]}")
    @PostMapping("/steering-policies")
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{name, model, hook, positions, terms}");
        Requests.allowOnly(body, "name", "model", "hook", "positions", "terms");
        String name = Requests.text(body, "name");
        String model = Requests.text(body, "model");
        String hook = Requests.text(body, "hook");
        JsonNode terms = Requests.required(body, "terms");
        if (!terms.isArray() || terms.isEmpty() || terms.size() > 32) {
            throw invalid("terms", "terms is a list of 1 to 32 {vector, coefficient | schedule | target, ...}");
        }
        ObjectNode intervention = json.createObjectNode();
        intervention.put("op", "compose");
        intervention.put("hook", hook);
        intervention.set(
                "positions",
                body.hasNonNull("positions")
                        ? body.get("positions")
                        : json.getNodeFactory().stringNode("generated"));
        ArrayNode built = intervention.putArray("terms");
        for (int i = 0; i < terms.size(); i++) {
            built.add(term(terms.get(i), "terms[" + i + "]", model, hook));
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO interp.steering_policies (id, name, model, hook, intervention, created_by)"
                        + " VALUES (?, ?, ?, ?, ?::jsonb, ?)")
                .params(
                        id,
                        name,
                        model,
                        hook,
                        json.writeValueAsString(intervention),
                        Caller.of(http).keyName())
                .update();
        return ResponseEntity.status(HttpStatus.CREATED).body(get(id));
    }

    @Operation(summary = "A stored policy and its compose intervention")
    @GetMapping("/steering-policies/{id}")
    Map<String, Object> get(@PathVariable UUID id) {
        return jdbc.sql("SELECT id, name, model, hook, intervention, created_at FROM "
                        + "interp.steering_policies WHERE id = ?")
                .param(id)
                .query((rs, n) -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", rs.getString("id"));
                    d.put("name", rs.getString("name"));
                    d.put("model", rs.getString("model"));
                    d.put("hook", rs.getString("hook"));
                    d.put("intervention", json.readTree(rs.getString("intervention")));
                    d.put("created_at", rs.getObject("created_at", java.time.OffsetDateTime.class));
                    return d;
                })
                .optional()
                .orElseThrow(() -> ApiException.notFound("unknown-policy", "no steering policy " + id));
    }

    private ObjectNode term(JsonNode t, String at, String model, String hook) {
        if (!t.isObject()) {
            throw invalid(at, at + " is an object");
        }
        Requests.allowOnly(t, "vector", "vector_id", "coefficient", "schedule", "target", "gain", "min", "max");
        StoredVector v = resolve(t, at, model, hook);
        ObjectNode out = json.createObjectNode();
        out.put("name", v.name());
        out.put("vector_id", v.id().toString());
        boolean fixed = t.has("coefficient");
        boolean scheduled = t.has("schedule");
        boolean seeking = t.has("target");
        if ((fixed ? 1 : 0) + (scheduled ? 1 : 0) + (seeking ? 1 : 0) != 1) {
            throw invalid(at, at + " gives exactly one of coefficient, schedule (per-step list) or target");
        }
        if (fixed) {
            out.put("schedule", number(t, "coefficient", at));
        } else if (scheduled) {
            JsonNode s = t.get("schedule");
            if (!s.isArray() || s.isEmpty() || s.size() > 4096) {
                throw invalid(at + ".schedule", at + ".schedule is a list of 1 to 4096 per-step coefficients");
            }
            ArrayNode c = json.createArrayNode();
            for (JsonNode x : s) {
                if (!x.isNumber() || !Double.isFinite(x.asDouble()) || Math.abs(x.asDouble()) > MAX_COEFFICIENT) {
                    throw invalid(at + ".schedule", at + ".schedule holds finite numbers within ±" + MAX_COEFFICIENT);
                }
                c.add(x.asDouble());
            }
            out.set("schedule", c);
        } else {
            double min = t.has("min") ? number(t, "min", at) : -10;
            double max = t.has("max") ? number(t, "max", at) : 10;
            if (min > max) {
                throw invalid(at, at + ": min must not exceed max");
            }
            out.put("target", number(t, "target", at));
            out.put("gain", t.has("gain") ? number(t, "gain", at) : 1.0);
            out.put("min", min);
            out.put("max", max);
        }
        return out;
    }

    private StoredVector resolve(JsonNode t, String at, String model, String hook) {
        StoredVector v;
        if (t.hasNonNull("vector_id")) {
            v = vectors.require(Requests.uuid(t, "vector_id"));
        } else {
            String name = Requests.text(t, "vector");
            v = vectors.byName(model, hook, name)
                    .orElseThrow(() -> ApiException.badRequest(
                                    "unknown-vector",
                                    at + ": model '" + model + "' has no vector '" + name + "' at " + hook + "; it has "
                                            + vectors.namespace(model, hook).keySet())
                            .with("field", at + ".vector"));
        }
        if (!v.model().equals(model) || !v.hook().equals(hook)) {
            throw ApiException.badRequest(
                            "vector-mismatch",
                            at + ": vector " + v.name() + " belongs to " + v.model() + " at " + v.hook() + ", not to "
                                    + model + " at " + hook)
                    .with("field", at);
        }
        return v;
    }

    private static double number(JsonNode t, String field, String at) {
        JsonNode v = t.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || Math.abs(v.asDouble()) > MAX_COEFFICIENT) {
            throw invalid(at + "." + field, at + "." + field + " is a finite number within ±" + MAX_COEFFICIENT);
        }
        return v.asDouble();
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-policy", detail).with("field", field);
    }
}

package dev.lmlab.interp.vectors;

import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Steering-vector algebra: {@code 1.5*openness + 0.5*agreeableness - neuroticism} over the vectors stored for one
 * model and hook, parsed by a hand-written parser (never evaluated as code), stored with its provenance and usable by
 * id in every inference request.
 */
@RestController
class SteeringVectorController {

    static final int MAX_EXPRESSION = 2000;

    private final VectorStore vectors;
    private final JsonMapper json;

    SteeringVectorController(VectorStore vectors, JsonMapper json) {
        this.vectors = vectors;
        this.json = json;
    }

    @Operation(summary = "Store a vector computed from an expression: {model, hook, expression, name, normalize}")
    @PostMapping("/steering-vectors")
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{model, hook, expression, name, normalize}");
        Requests.allowOnly(body, "model", "hook", "expression", "name", "normalize");
        String model = Requests.text(body, "model");
        String hook = Requests.text(body, "hook");
        String text = Requests.text(body, "expression");
        String name = Requests.text(body, "name");
        VectorStore.requireName(name, "name");
        VectorExpression expression = parse(text);
        Map<String, StoredVector> namespace = vectors.namespace(model, hook);
        for (String n : expression.names()) {
            if (!namespace.containsKey(n)) {
                throw ApiException.badRequest(
                                "unknown-vector",
                                "the expression names '" + n + "', which model '" + model + "' has no vector of at "
                                        + hook + "; it has " + namespace.keySet())
                        .with("field", "expression")
                        .with("position", text.indexOf(n))
                        .with("known", namespace.keySet());
            }
        }
        float[] values;
        try {
            values = expression.evaluate(n -> namespace.get(n).values());
        } catch (ExpressionException e) {
            throw invalid(e);
        }
        if (body.path("normalize").asBoolean(false)) {
            double norm = StoredVector.norm(values);
            if (norm == 0) {
                throw ApiException.badRequest("degenerate-direction", "the expression is the zero vector")
                        .with("field", "expression");
            }
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (values[i] / norm);
            }
        }
        ObjectNode provenance = json.createObjectNode();
        provenance.put("method", "expression");
        provenance.put("expression", text);
        provenance.put("canonical", expression.canonical());
        provenance.set("coefficients", json.valueToTree(expression.coefficients()));
        Map<String, String> sources = new LinkedHashMap<>();
        expression.names().forEach(n -> sources.put(n, namespace.get(n).id().toString()));
        provenance.set("sources", json.valueToTree(sources));
        provenance.put("normalized", body.path("normalize").asBoolean(false));
        StoredVector v = vectors.save(
                name,
                model,
                hook,
                "expression",
                values,
                provenance,
                Caller.of(http).keyName());
        return ResponseEntity.status(HttpStatus.CREATED).body(VectorController.describe(v, false));
    }

    static VectorExpression parse(String text) {
        try {
            return VectorExpression.parse(text);
        } catch (ExpressionException e) {
            throw invalid(e);
        }
    }

    static ApiException invalid(ExpressionException e) {
        return ApiException.badRequest("invalid-expression", e.getMessage())
                .with("field", "expression")
                .with("position", e.position());
    }
}

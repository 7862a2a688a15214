package dev.lmlab.interp.experiments;

import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.vectors.ExpressionException;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorExpression;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.web.ApiException;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The vector an experiment steers along, named one of three ways: a stored vector's id, its name (for the model and
 * hook), or an expression over stored vectors (stored as a vector when the experiment starts, so the inference
 * service can fetch it by id like any other).
 */
final class SteeringVectorRef {

    private SteeringVectorRef() {}

    /** Checks the reference without storing anything; a 400 for what cannot steer this model at this hook. */
    static void check(
            VectorStore vectors, InferencePeer.ModelInfo model, String hook, String id, String name, String expr) {
        int given = (id != null ? 1 : 0) + (name != null ? 1 : 0) + (expr != null ? 1 : 0);
        if (given != 1) {
            throw ApiException.badRequest(
                            "invalid-params", "name the steering vector once: vector_id, vector (a name) or expression")
                    .with("field", "vector");
        }
        if (expr != null) {
            VectorExpression e = parse(expr);
            Map<String, StoredVector> namespace = vectors.namespace(model.id(), hook);
            for (String n : e.names()) {
                if (!namespace.containsKey(n)) {
                    throw ApiException.badRequest(
                                    "unknown-vector",
                                    "the expression names '" + n + "', which model '" + model.id()
                                            + "' has no vector of" + " at " + hook + "; it has " + namespace.keySet())
                            .with("field", "expression");
                }
            }
            return;
        }
        fits(resolveStored(vectors, model.id(), hook, id, name), model, hook);
    }

    /** The vector to steer with, storing an expression's result first (once: a revived run finds it by name). */
    static StoredVector resolve(
            VectorStore vectors,
            InferencePeer.ModelInfo model,
            String hook,
            String id,
            String name,
            String expr,
            UUID runId,
            JsonMapper json) {
        if (expr == null) {
            StoredVector v = resolveStored(vectors, model.id(), hook, id, name);
            fits(v, model, hook);
            return v;
        }
        String stored = "experiment_" + runId.toString().replace("-", "").substring(0, 12);
        return vectors.byName(model.id(), hook, stored).orElseGet(() -> {
            VectorExpression e = parse(expr);
            Map<String, StoredVector> namespace = vectors.namespace(model.id(), hook);
            float[] values = e.evaluate(n -> namespace.get(n).values());
            ObjectNode provenance = json.createObjectNode();
            provenance.put("method", "expression");
            provenance.put("expression", expr);
            provenance.put("canonical", e.canonical());
            provenance.put("experiment", runId.toString());
            return vectors.save(stored, model.id(), hook, "expression", values, provenance, null);
        });
    }

    private static StoredVector resolveStored(VectorStore vectors, String model, String hook, String id, String name) {
        if (id != null) {
            try {
                return vectors.require(UUID.fromString(id));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-params", "vector_id is a vector's id (UUID)")
                        .with("field", "vector_id");
            }
        }
        return vectors.byName(model, hook, name)
                .orElseThrow(() -> ApiException.badRequest(
                                "unknown-vector",
                                "model '" + model + "' has no vector '" + name + "' at " + hook + "; it has "
                                        + vectors.namespace(model, hook).keySet())
                        .with("field", "vector"));
    }

    /** A vector steers a model at a hook when it was made at that hook and has the model's width. */
    private static void fits(StoredVector v, InferencePeer.ModelInfo model, String hook) {
        if (v.width() != model.dModel()) {
            throw ApiException.badRequest(
                            "vector-width-mismatch",
                            "vector " + v.name() + " has width " + v.width() + "; model '" + model.id()
                                    + "' has d_model " + model.dModel())
                    .with("field", "vector");
        }
        if (!v.hook().equals(hook)) {
            throw ApiException.badRequest(
                            "vector-layer-mismatch",
                            "vector " + v.name() + " was made at " + v.hook() + ", not at " + hook
                                    + "; steer at the hook it was made at")
                    .with("field", "hook");
        }
    }

    private static VectorExpression parse(String text) {
        try {
            return VectorExpression.parse(text);
        } catch (ExpressionException e) {
            throw ApiException.badRequest("invalid-expression", e.getMessage())
                    .with("field", "expression")
                    .with("position", e.position());
        }
    }
}

package dev.lmlab.inference.steering;

import dev.lmlab.core.hooks.Intervention;
import dev.lmlab.core.hooks.InterventionRuntime;
import dev.lmlab.core.hooks.SparseAutoencoder;
import dev.lmlab.core.model.HookPoints;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.inference.files.DataRoots;
import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code interventions} of a request, in lm-core's spec, made ready to run on a model. Besides inline
 * vectors a spec may name its vector instead: {@code vector_file: {path, tensor}} reads a safetensors file under
 * the artifacts root, {@code vector_id} asks the interp service for a stored vector. {@code sae} of an SAE splice
 * is an SAELens folder under the artifacts root. Everything is checked here, before the request is queued.
 */
@Component
public class Steering {

    private final DataRoots roots;
    private final ServiceClients clients;
    private final JsonMapper strict;

    public Steering(DataRoots roots, ServiceClients clients, JsonMapper json) {
        this.roots = roots;
        this.clients = clients;
        this.strict = json.rebuild()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Whether a request carries interventions at all. */
    public static boolean present(JsonNode interventions) {
        return interventions != null
                && !interventions.isNull()
                && !interventions.isMissingNode()
                && !(interventions.isArray() && interventions.isEmpty());
    }

    /** Parses and resolves {@code interventions}; the caller closes the runtime after the forward passes. */
    public InterventionRuntime runtime(LanguageModel model, JsonNode interventions) {
        List<Intervention> specs = parse(interventions);
        try {
            return InterventionRuntime.build(specs, model.config(), model.manager(), saes(model));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-intervention", e.getMessage())
                    .with("field", "interventions")
                    .with("hooks", HookPoints.all(model.config().numLayers()));
        }
    }

    /** Opens an SAE splice's {@code sae}: an SAELens folder under the artifacts root. */
    public java.util.function.Function<String, SparseAutoencoder> saes(LanguageModel model) {
        return name -> SparseAutoencoder.load(roots.artifact(name), model.manager());
    }

    public List<Intervention> parse(JsonNode interventions) {
        if (!interventions.isArray()) {
            throw invalid("'interventions' must be a list of {hook, op, ...}");
        }
        List<Intervention> out = new ArrayList<>();
        for (int i = 0; i < interventions.size(); i++) {
            JsonNode node = interventions.get(i);
            if (!node.isObject()) {
                throw invalid("interventions[" + i + "] must be an object");
            }
            ObjectNode spec = ((ObjectNode) node).deepCopy();
            resolveVector(spec, "interventions[" + i + "]");
            if (spec.has("terms") && spec.get("terms").isArray()) {
                ArrayNode terms = (ArrayNode) spec.get("terms");
                for (int t = 0; t < terms.size(); t++) {
                    if (terms.get(t).isObject()) {
                        resolveVector((ObjectNode) terms.get(t), "interventions[" + i + "].terms[" + t + "]");
                    }
                }
            }
            try {
                out.add(strict.treeToValue(spec, Intervention.class));
            } catch (JacksonException | IllegalArgumentException e) {
                throw invalid("interventions[" + i + "]: " + rootMessage(e));
            }
        }
        return out;
    }

    private void resolveVector(ObjectNode spec, String where) {
        JsonNode file = spec.remove("vector_file");
        JsonNode id = spec.remove("vector_id");
        if (file != null && id != null) {
            throw invalid(where + ": give vector_file or vector_id, not both");
        }
        if (file != null) {
            String path = file.path("path").asString(null);
            String tensor = file.path("tensor").asString(null);
            try (SafetensorsFile f = SafetensorsFile.open(roots.artifact(path))) {
                String name = tensor != null
                        ? tensor
                        : f.tensors().keySet().iterator().next();
                float[] v = f.readFloats(name);
                spec.set("vector", strict.valueToTree(v));
            } catch (RuntimeException e) {
                if (e instanceof ApiException api) {
                    throw api;
                }
                throw invalid(where + ".vector_file: " + e.getMessage());
            }
        }
        if (id != null) {
            spec.set("vector", fetchVector(id.asString(), where));
        }
    }

    /** {@code GET /vectors/{id}} on the interp service, answering {@code {"vector": [...]}}. */
    private JsonNode fetchVector(String id, String where) {
        try {
            JsonNode body = clients.forService("interp")
                    .get()
                    .uri("/vectors/{id}", id)
                    .retrieve()
                    .body(JsonNode.class);
            if (body == null || !body.path("vector").isArray()) {
                throw invalid(where + ": the interp service's vector '" + id + "' has no 'vector' list");
            }
            return body.get("vector");
        } catch (RestClientResponseException e) {
            throw invalid(where + ": the interp service has no vector '" + id + "' (HTTP "
                    + e.getStatusCode().value() + ")");
        } catch (RestClientException | IllegalStateException e) {
            throw new ApiException(
                    org.springframework.http.HttpStatus.BAD_GATEWAY,
                    "interp-unreachable",
                    where + ": could not reach the interp service for vector '" + id + "': " + e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    private static ApiException invalid(String detail) {
        return ApiException.badRequest("invalid-intervention", detail).with("field", "interventions");
    }
}

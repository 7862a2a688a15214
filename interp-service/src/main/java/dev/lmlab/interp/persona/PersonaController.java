package dev.lmlab.interp.persona;

import dev.lmlab.interp.sets.ActivationMatrix;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.interp.sets.ActivationSetStore;
import dev.lmlab.interp.sets.LabelFilter;
import dev.lmlab.interp.vectors.Directions;
import dev.lmlab.interp.vectors.Orthogonalization;
import dev.lmlab.interp.vectors.Requests;
import dev.lmlab.interp.vectors.VectorStore;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Persona (trait) vectors from a contrastive activation set: per trait, the mean of its trait-eliciting rows minus
 * the mean of its suppressing rows, fit on one split and checked on another; then Gram–Schmidt in a chosen order,
 * with the cosines between traits before and after. The Big Five catalogue ships as {@code shipped:big-five}.
 */
@RestController
class PersonaController {

    private final ActivationSetStore sets;
    private final ActivationMatrix matrix;
    private final PersonaVectors persona;
    private final JsonMapper json;

    PersonaController(ActivationSetStore sets, ActivationMatrix matrix, PersonaVectors persona, JsonMapper json) {
        this.sets = sets;
        this.matrix = matrix;
        this.persona = persona;
        this.json = json;
    }

    @Operation(
            summary = "Trait vectors from a contrastive set: {set, hook, traits, order, fit, held_out, trait_label,"
                    + " pole_label, high, low, prefix, orthogonalize}")
    @PostMapping("/persona-vectors")
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body, HttpServletRequest http) {
        Requests.object(body, "{set, hook, traits, order, fit, held_out, ...}");
        Requests.allowOnly(
                body,
                "set",
                "hook",
                "traits",
                "order",
                "fit",
                "held_out",
                "trait_label",
                "pole_label",
                "high",
                "low",
                "prefix",
                "orthogonalize");
        ActivationSet set = sets.ready(Requests.uuid(body, "set"));
        String hook = Requests.text(body, "hook");
        String traitLabel = body.path("trait_label").asString("trait");
        String poleLabel = body.path("pole_label").asString("pole");
        String high = body.path("high").asString("high");
        String low = body.path("low").asString("low");
        String prefix = body.path("prefix").asString("");
        Map<String, Integer> traitValues = set.labelCounts().get(traitLabel);
        if (traitValues == null || !set.labelCounts().containsKey(poleLabel)) {
            throw ApiException.badRequest(
                            "unknown-label",
                            "the set has no '" + traitLabel + "' or '" + poleLabel + "' label; its labels are "
                                    + set.labelCounts().keySet())
                    .with("field", "trait_label");
        }
        List<String> traits = strings(body.get("traits"), new ArrayList<>(traitValues.keySet()), "traits");
        List<String> order = strings(body.get("order"), traits, "order");
        if (!new java.util.HashSet<>(order).equals(new java.util.HashSet<>(traits)) || order.size() != traits.size()) {
            throw ApiException.badRequest("invalid-params", "order lists each of " + traits + " once")
                    .with("field", "order");
        }
        LabelFilter fit = LabelFilter.parse(body.get("fit"), set, "fit");
        LabelFilter heldOut =
                body.hasNonNull("held_out") ? LabelFilter.parse(body.get("held_out"), set, "held_out") : null;

        double[][] rows = matrix.rows(set, hook, "hook");
        List<Map<String, String>> labels = matrix.labels(set);
        Map<String, double[]> vectors = new LinkedHashMap<>();
        List<Map<String, Object>> report = new ArrayList<>();
        for (String trait : traits) {
            VectorStore.requireName(prefix + trait, "traits");
            int[] pos = group(labels, fit, traitLabel, trait, poleLabel, high, "fit");
            int[] neg = group(labels, fit, traitLabel, trait, poleLabel, low, "fit");
            double[] v = Directions.meanDifference(rows, pos, neg);
            vectors.put(trait, v);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("trait", trait);
            t.put("fit_rows", Map.of(high, pos.length, low, neg.length));
            t.put("norm", Directions.norm(v));
            t.put("separation", finite(Directions.separation(rows, pos, neg, v)));
            if (heldOut != null) {
                int[] hp = group(labels, heldOut, traitLabel, trait, poleLabel, high, "held_out");
                int[] hn = group(labels, heldOut, traitLabel, trait, poleLabel, low, "held_out");
                t.put("held_out", heldOutCheck(rows, hp, hn, v));
            }
            report.add(t);
        }
        boolean orthogonalize = body.path("orthogonalize").asBoolean(true);
        Orthogonalization.Result orth = null;
        if (orthogonalize && traits.size() > 1) {
            Map<String, float[]> asFloats = new LinkedHashMap<>();
            vectors.forEach((k, v) -> asFloats.put(k, Directions.toFloats(v)));
            try {
                orth = Orthogonalization.gramSchmidt(order, asFloats);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("degenerate-direction", e.getMessage())
                        .with("field", "order");
            }
        }
        ObjectNode provenance = json.createObjectNode();
        provenance.put("method", "persona_mean_difference");
        provenance.put("set", set.id().toString());
        provenance.put("trait_label", traitLabel);
        provenance.put("pole_label", poleLabel);
        provenance.put("high", high);
        provenance.put("low", low);
        provenance.set("fit", json.valueToTree(fit.values()));
        List<PersonaVectors.Saved> saved = persona.save(
                set.model(),
                hook,
                prefix,
                vectors,
                orth,
                order,
                provenance,
                Caller.of(http).keyName());

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("set", set.id().toString());
        answer.put("model", set.model());
        answer.put("hook", hook);
        for (Map<String, Object> t : report) {
            saved.stream()
                    .filter(s -> s.trait().equals(t.get("trait")))
                    .forEach(s -> t.put(s.orthogonalized() ? "orthogonalized" : "vector", s.describe()));
        }
        answer.put("traits", report);
        answer.put("order", order);
        answer.put("cosines_before", matrix(order, cosines(order, vectors)));
        if (orth != null) {
            answer.put("cosines_after", matrix(order, orth.cosinesAfter()));
            answer.put("retained_norm", orth.retainedNorm());
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(answer);
    }

    /**
     * How the trait vector fit on one split reads another: the projections' effect size and, for rows paired by the
     * set's {@code pair} label, how often the high text projects above its low counterpart.
     */
    private static Map<String, Object> heldOutCheck(double[][] rows, int[] high, int[] low, double[] v) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("rows", high.length + low.length);
        h.put("separation", finite(Directions.separation(rows, high, low, v)));
        double[] ph = Directions.project(rows, high, v);
        double[] pl = Directions.project(rows, low, v);
        int above = 0;
        int pairs = 0;
        for (double a : ph) {
            for (double b : pl) {
                pairs++;
                above += a > b ? 1 : 0;
            }
        }
        h.put("auc", pairs == 0 ? null : (double) above / pairs); // P(high projects above low), over all pairs
        return h;
    }

    private static int[] group(
            List<Map<String, String>> labels,
            LabelFilter split,
            String traitLabel,
            String trait,
            String poleLabel,
            String pole,
            String field) {
        Map<String, List<String>> values = new LinkedHashMap<>(split.values());
        values.put(traitLabel, List.of(trait));
        values.put(poleLabel, List.of(pole));
        return LabelFilter.rows(labels, new LabelFilter(values), field + " (" + trait + ", " + pole + ")");
    }

    private static double[][] cosines(List<String> order, Map<String, double[]> vectors) {
        double[][] c = new double[order.size()][order.size()];
        for (int i = 0; i < order.size(); i++) {
            for (int j = 0; j < order.size(); j++) {
                c[i][j] = Directions.cosine(vectors.get(order.get(i)), vectors.get(order.get(j)));
            }
        }
        return c;
    }

    private static Map<String, Map<String, Double>> matrix(List<String> order, double[][] values) {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (int j = 0; j < order.size(); j++) {
                row.put(order.get(j), values[i][j]);
            }
            m.put(order.get(i), row);
        }
        return m;
    }

    private static List<String> strings(JsonNode node, List<String> fallback, String field) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isArray() || node.isEmpty() || node.size() > 64) {
            throw ApiException.badRequest("invalid-params", field + " is a list of 1 to 64 names")
                    .with("field", field);
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

package dev.lmlab.interp.persona;

import dev.lmlab.interp.vectors.Directions;
import dev.lmlab.interp.vectors.Orthogonalization;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.interp.vectors.VectorStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.node.ObjectNode;

/** Stores a trait catalogue's vectors all or nothing: a taken name leaves no half-stored catalogue behind. */
@Component
class PersonaVectors {

    record Saved(String trait, boolean orthogonalized, StoredVector vector) {

        Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", vector.id().toString());
            d.put("name", vector.name());
            d.put("norm", vector.norm());
            return d;
        }
    }

    private final VectorStore vectors;

    PersonaVectors(VectorStore vectors) {
        this.vectors = vectors;
    }

    @Transactional
    List<Saved> save(
            String model,
            String hook,
            String prefix,
            Map<String, double[]> traits,
            Orthogonalization.Result orth,
            List<String> order,
            ObjectNode provenance,
            String by) {
        List<Saved> saved = new ArrayList<>();
        for (Map.Entry<String, double[]> e : traits.entrySet()) {
            ObjectNode p = provenance.deepCopy();
            p.put("trait", e.getKey());
            saved.add(new Saved(
                    e.getKey(),
                    false,
                    vectors.save(prefix + e.getKey(), model, hook, "trait", Directions.toFloats(e.getValue()), p, by)));
        }
        if (orth != null) {
            for (String trait : order) {
                ObjectNode p = provenance.deepCopy();
                p.put("trait", trait);
                p.put("method", "gram_schmidt");
                p.set(
                        "order",
                        p.arrayNode().addAll(order.stream().map(p::textNode).toList()));
                p.put("retained_norm", orth.retainedNorm().get(trait));
                saved.add(new Saved(
                        trait,
                        true,
                        vectors.save(
                                prefix + trait + "_orth",
                                model,
                                hook,
                                "orthogonalized",
                                orth.vectors().get(trait),
                                p,
                                by)));
            }
        }
        return saved;
    }
}

package dev.lmlab.interp.sae;

import java.time.OffsetDateTime;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A registered sparse autoencoder.
 *
 * @param folder its SAELens folder, relative to the artifacts root (what an inference {@code sae_splice} names)
 * @param source {@code trained} (by a run of this service, {@code runId}) or {@code imported}
 * @param metrics the held-out evaluation of a trained SAE; null for an imported one until evaluated
 */
public record StoredSae(
        UUID id,
        String name,
        String model,
        String hook,
        int dIn,
        int dSae,
        Integer k,
        String folder,
        String source,
        UUID runId,
        JsonNode metrics,
        String createdBy,
        OffsetDateTime createdAt) {}

package dev.lmlab.inference.compute;

import dev.lmlab.core.compute.ComputeBackend;
import dev.lmlab.platform.info.ServiceInfoContributor;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Chooses the compute backend when the service starts (so the device is logged once, up front) and reports it
 * in {@code GET /info}.
 */
@Component
class ComputeInfo implements ServiceInfoContributor {

    private final ComputeBackend backend = ComputeBackend.get();

    @Override
    public Map<String, Object> info() {
        return Map.of("compute", backend.describe());
    }
}

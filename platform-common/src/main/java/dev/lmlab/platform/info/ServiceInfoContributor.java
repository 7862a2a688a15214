package dev.lmlab.platform.info;

import java.util.Map;

/** A bean that adds service-specific facts to {@code GET /info} (the inference service's compute device, say). */
public interface ServiceInfoContributor {

    /** Entries merged into the info document; keys in snake_case. */
    Map<String, Object> info();
}

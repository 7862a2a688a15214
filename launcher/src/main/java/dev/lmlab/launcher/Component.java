package dev.lmlab.launcher;

import java.util.List;
import java.util.Map;

/** The processes of the platform, with their default ports and heap sizes. */
enum Component {
    INFERENCE("inference", "inference-service", 8081, "2g"),
    TRAINING("training", "training-service", 8082, "1g"),
    EVAL("eval", "eval-service", 8083, "512m"),
    INTERP("interp", "interp-service", 8084, "1g"),
    GATEWAY("gateway", "gateway", 8080, "384m");

    private final String shortName;
    private final String module;
    private final int defaultPort;
    private final String heap;

    Component(String shortName, String module, int defaultPort, String heap) {
        this.shortName = shortName;
        this.module = module;
        this.defaultPort = defaultPort;
        this.heap = heap;
    }

    String shortName() {
        return shortName;
    }

    String module() {
        return module;
    }

    String heap() {
        return heap;
    }

    /** The environment variable that moves this component's port, e.g. {@code LMLAB_TRAINING_PORT}. */
    String portVariable() {
        return "LMLAB_" + shortName.toUpperCase(java.util.Locale.ROOT) + "_PORT";
    }

    int port(Map<String, String> env) {
        String value = env.get(portVariable());
        return value == null || value.isBlank() ? defaultPort : Integer.parseInt(value.trim());
    }

    static List<Component> services() {
        return List.of(INFERENCE, TRAINING, EVAL, INTERP);
    }
}

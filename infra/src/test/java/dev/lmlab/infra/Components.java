package dev.lmlab.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The platform's components as the code defines them: module, jar, port variable and default port, read from
 * each module's pom.xml and application.yml. The deployment files are checked against this, not against a list
 * copied into the test.
 */
record Components(String name, String module, String jar, String portVariable, int port) {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> SERVICES = List.of("inference", "training", "eval", "interp");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+):(\\d+)}");
    private static final Pattern FINAL_NAME = Pattern.compile("<finalName>([^<]+)</finalName>");

    static List<Components> all() {
        return List.of(
                of("gateway", "gateway"),
                of("inference", "inference-service"),
                of("training", "training-service"),
                of("eval", "eval-service"),
                of("interp", "interp-service"));
    }

    static Components of(String name, String module) {
        Map<String, Object> config = yaml(ROOT.resolve(module).resolve("src/main/resources/application.yml"));
        String port = String.valueOf(path(config, "server", "port"));
        Matcher m = PLACEHOLDER.matcher(port);
        if (!m.matches()) {
            throw new AssertionError(module + " must declare server.port as ${LMLAB_<NAME>_PORT:<default>}: " + port);
        }
        Matcher jar = FINAL_NAME.matcher(read(ROOT.resolve(module).resolve("pom.xml")));
        if (!jar.find()) {
            throw new AssertionError(module + "/pom.xml has no finalName");
        }
        return new Components(name, module, jar.group(1) + ".jar", m.group(1), Integer.parseInt(m.group(2)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        return (Map<String, Object>) new Yaml().load(read(file));
    }

    @SuppressWarnings("unchecked")
    static Object path(Map<String, Object> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.lmlab.infra;

import static dev.lmlab.infra.Components.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-compose.yml cannot be started here (no Docker engine), so it is checked against the code instead. */
class DockerComposeTest {

    final Map<String, Object> compose = Components.yaml(Components.ROOT.resolve("docker-compose.yml"));

    @SuppressWarnings("unchecked")
    Map<String, Object> service(String name) {
        Object s = path(compose, "services", name);
        assertThat(s).as("service %s in docker-compose.yml", name).isInstanceOf(Map.class);
        return (Map<String, Object>) s;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> env(String name) {
        return (Map<String, Object>) service(name).get("environment");
    }

    @Test
    void everyComponentIsBuiltFromItsModuleAndJar() {
        for (Components c : Components.all()) {
            Map<String, Object> s = service(c.name());
            assertThat(path(s, "build", "args", "MODULE")).as(c.name()).isEqualTo(c.module());
            assertThat(path(s, "build", "args", "JAR")).as(c.name()).isEqualTo(c.jar());
            assertThat(Components.ROOT.resolve(c.module()).resolve("pom.xml")).exists();
        }
        String dockerfile = Components.read(Components.ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("ARG MODULE").contains("ARG JAR").contains("${MODULE}/target/${JAR}");
    }

    @Test
    void portsAndHealthChecksMatchTheCode() {
        for (Components c : Components.all()) {
            assertThat(env(c.name())).as(c.name()).containsEntry(c.portVariable(), String.valueOf(c.port()));
            List<String> test = (List<String>) path(service(c.name()), "healthcheck", "test");
            assertThat(String.join(" ", test))
                    .as(c.name())
                    .contains("http://127.0.0.1:" + c.port() + "/actuator/health/readiness");
        }
    }

    @Test
    void onlyTheGatewayIsPublished() {
        assertThat((List<String>) service("gateway").get("ports"))
                .singleElement()
                .asString()
                .endsWith(":8080");
        for (String s : Components.SERVICES) {
            assertThat(service(s)).as(s).doesNotContainKey("ports");
        }
    }

    @Test
    void everyServiceGetsTheDatabaseTheSecretAndTheDataFolder() {
        for (Components c : Components.all()) {
            Map<String, Object> env = env(c.name());
            assertThat(env)
                    .as(c.name())
                    .containsKeys(
                            "LMLAB_DB_URL", "LMLAB_DB_USER", "LMLAB_DB_PASSWORD", "LMLAB_INTERNAL_TOKEN", "LMLAB_HOME");
            assertThat(env.get("LMLAB_DB_URL")).asString().startsWith("jdbc:postgresql://postgres:5432/");
            assertThat(path(service(c.name()), "depends_on", "postgres", "condition"))
                    .isEqualTo("service_healthy");
        }
        assertThat(path(service("postgres"), "healthcheck")).isNotNull();
    }

    @Test
    void theGatewayRoutesToEveryServiceByItsComposeNameAndPort() {
        Map<String, Object> gatewayConfig =
                Components.yaml(Components.ROOT.resolve("gateway/src/main/resources/application.yml"));
        Map<String, Object> routes = (Map<String, Object>) path(gatewayConfig, "lmlab", "services");
        assertThat(routes.keySet()).containsExactlyInAnyOrderElementsOf(Components.SERVICES);
        for (String s : Components.SERVICES) {
            Components c = Components.all().stream()
                    .filter(x -> x.name().equals(s))
                    .findFirst()
                    .orElseThrow();
            String variable = "LMLAB_" + s.toUpperCase() + "_URL";
            assertThat(String.valueOf(routes.get(s)))
                    .as("gateway reads " + variable)
                    .contains("${" + variable + ":");
            assertThat(env("gateway")).containsEntry(variable, "http://" + s + ":" + c.port());
        }
    }
}

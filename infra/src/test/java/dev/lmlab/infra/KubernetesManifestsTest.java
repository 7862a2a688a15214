package dev.lmlab.infra;

import static dev.lmlab.infra.Components.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** infra/k8s, read document by document and checked against the code and against itself. */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {

    static final Path K8S = Components.ROOT.resolve("infra/k8s");
    final List<Map<String, Object>> docs = load();

    static List<Map<String, Object>> load() {
        Map<String, Object> kustomization = Components.yaml(K8S.resolve("kustomization.yaml"));
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object file : (List<Object>) kustomization.get("resources")) {
            for (Object doc : new Yaml().loadAll(Components.read(K8S.resolve(file.toString())))) {
                if (doc != null) {
                    all.add((Map<String, Object>) doc);
                }
            }
        }
        return all;
    }

    Map<String, Object> find(String kind, String name) {
        return docs.stream()
                .filter(d -> kind.equals(d.get("kind")) && name.equals(path(d, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in infra/k8s"));
    }

    Map<String, Object> container(String name) {
        List<Object> containers =
                (List<Object>) path(find("Deployment", name), "spec", "template", "spec", "containers");
        return (Map<String, Object>) containers.get(0);
    }

    @Test
    void everyComponentRunsReplicatedWithProbesOnItsPort() {
        for (Components c : Components.all()) {
            Map<String, Object> deployment = find("Deployment", c.name());
            assertThat((Integer) path(deployment, "spec", "replicas"))
                    .as(c.name())
                    .isGreaterThan(1);
            Map<String, Object> container = container(c.name());
            assertThat(path((Map<String, Object>) ((List<Object>) container.get("ports")).get(0), "containerPort"))
                    .isEqualTo(c.port());
            assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
            assertThat(path(container, "readinessProbe", "httpGet", "port")).isEqualTo(c.port());
            assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
            assertThat(env).anySatisfy(e -> {
                assertThat(e.get("name")).isEqualTo(c.portVariable());
                assertThat(e.get("value")).isEqualTo(String.valueOf(c.port()));
            });
            Map<String, Object> annotations =
                    (Map<String, Object>) path(deployment, "spec", "template", "metadata", "annotations");
            assertThat(annotations).containsEntry("prometheus.io/port", String.valueOf(c.port()));
        }
    }

    @Test
    void servicesExposeTheRightPortsAndSelectTheirPods() {
        for (Components c : Components.all()) {
            Map<String, Object> service = find("Service", c.name());
            Map<String, Object> port = (Map<String, Object>) ((List<Object>) path(service, "spec", "ports")).get(0);
            assertThat(port.get("port")).as(c.name()).isEqualTo(c.port());
            assertThat(path(service, "spec", "selector", "app")).isEqualTo(c.name());
            assertThat(path(find("Deployment", c.name()), "spec", "template", "metadata", "labels", "app"))
                    .isEqualTo(c.name());
        }
        assertThat(path(find("Service", "gateway"), "spec", "type")).isEqualTo("LoadBalancer");
        for (String s : Components.SERVICES) {
            assertThat(path(find("Service", s), "spec", "type")).as(s).isEqualTo("ClusterIP");
        }
    }

    @Test
    void configPointsAtTheManifestsOwnServices() {
        Map<String, Object> config =
                (Map<String, Object>) find("ConfigMap", "lmlab-config").get("data");
        for (String s : Components.SERVICES) {
            Components c = Components.all().stream()
                    .filter(x -> x.name().equals(s))
                    .findFirst()
                    .orElseThrow();
            assertThat(config).containsEntry("LMLAB_" + s.toUpperCase() + "_URL", "http://" + s + ":" + c.port());
        }
        assertThat(config.get("LMLAB_DB_URL")).asString().startsWith("jdbc:postgresql://postgres:5432/");
        find("Service", "postgres");
        find("StatefulSet", "postgres");
    }

    @Test
    void everySecretAndVolumeAPodNamesExists() {
        Map<String, Object> secret =
                (Map<String, Object>) find("Secret", "lmlab-secrets").get("stringData");
        Set<String> claims = new HashSet<>();
        docs.stream()
                .filter(d -> "PersistentVolumeClaim".equals(d.get("kind")))
                .forEach(d -> claims.add((String) path(d, "metadata", "name")));
        for (Components c : Components.all()) {
            for (Map<String, Object> e :
                    (List<Map<String, Object>>) container(c.name()).get("env")) {
                Object ref = path(e, "valueFrom", "secretKeyRef");
                if (ref != null) {
                    Map<String, Object> r = (Map<String, Object>) ref;
                    assertThat(r.get("name")).isEqualTo("lmlab-secrets");
                    assertThat(secret)
                            .as(c.name() + " uses secret key " + r.get("key"))
                            .containsKey((String) r.get("key"));
                }
            }
            List<Object> volumes =
                    (List<Object>) path(find("Deployment", c.name()), "spec", "template", "spec", "volumes");
            for (Object v : volumes) {
                Object claim = path((Map<String, Object>) v, "persistentVolumeClaim", "claimName");
                assertThat(claims).as(c.name()).contains((String) claim);
            }
        }
    }

    @Test
    void prometheusScrapesEveryComponent() {
        Map<String, Object> prometheus = Components.yaml(Components.ROOT.resolve("infra/prometheus/prometheus.yml"));
        Map<String, Object> job = (Map<String, Object>) ((List<Object>) prometheus.get("scrape_configs")).get(0);
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        List<String> targets =
                (List<String>) ((Map<String, Object>) ((List<Object>) job.get("static_configs")).get(0)).get("targets");
        for (Components c : Components.all()) {
            assertThat(targets).contains(c.name() + ":" + c.port());
        }
    }
}

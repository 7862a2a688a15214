package dev.lmlab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunFilter;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.testing.Await;
import dev.lmlab.testing.ServiceCalls;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** The eval service's API as the tests call it, over real HTTP with the internal token. */
final class EvalApi {

    final ServiceCalls calls;
    final String base;
    final RunRegistry registry;

    EvalApi(String token, String base, RunRegistry registry) {
        this.calls = new ServiceCalls(token);
        this.base = base;
        this.registry = registry;
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return calls.post(base, path, body);
    }

    HttpResponse<String> get(String path) throws Exception {
        return calls.get(base, path);
    }

    JsonNode ok(HttpResponse<String> response) {
        return ServiceCalls.ok(response);
    }

    /** Submits a run and waits for it to end. */
    Run run(String body) throws Exception {
        HttpResponse<String> r = post("/runs", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return finished(ok(r).get("id").asString());
    }

    Run finished(String id) {
        return Await.until(
                "run " + id + " to finish",
                Duration.ofSeconds(180),
                () -> registry.get(UUID.fromString(id)),
                r -> r.status().isTerminal());
    }

    JsonNode report(Run run) throws Exception {
        return ok(get("/runs/" + run.id() + "/report"));
    }

    long evalRuns() {
        return registry.list(new RunFilter("eval", null, null, null, null, null, null), 0, 1)
                .total();
    }
}

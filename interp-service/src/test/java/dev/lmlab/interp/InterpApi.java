package dev.lmlab.interp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.testing.Await;
import dev.lmlab.testing.ServiceCalls;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** The interp service's API as the tests call it, over real HTTP with the internal token. */
public final class InterpApi {

    final ServiceCalls calls;
    final String base;
    final RunRegistry registry;

    public InterpApi(String token, String base, RunRegistry registry) {
        this.calls = new ServiceCalls(token);
        this.base = base;
        this.registry = registry;
    }

    public HttpResponse<String> post(String path, String body) throws Exception {
        return calls.post(base, path, body);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return calls.get(base, path);
    }

    public static JsonNode ok(HttpResponse<String> response) {
        return ServiceCalls.ok(response);
    }

    /** Submits a durable run at {@code path} and waits for it to end. */
    public Run run(String path, String body) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return finished(ok(r).get("id").asString());
    }

    public Run finished(String id) {
        return Await.until(
                "run " + id + " to finish",
                Duration.ofSeconds(240),
                () -> registry.get(UUID.fromString(id)),
                r -> r.status().isTerminal());
    }
}

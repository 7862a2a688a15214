package dev.lmlab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** API keys, scopes, rate limits and routing, gateway → real service over HTTP. */
class GatewayAuthTest extends GatewayTestSupport {

    private String createKey(String name, String scopes, Integer perMinute) throws Exception {
        String body = "{\"name\": \"" + name + "\", \"scopes\": [" + scopes + "]"
                + (perMinute == null ? "" : ", \"rate_limit_per_minute\": " + perMinute) + "}";
        HttpResponse<String> created = send("POST", "/api/keys", ADMIN_KEY, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).get("key").asString();
    }

    private static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(r).get("type").asString()).isEqualTo("urn:lmlab:problem:" + slug);
    }

    @Test
    void requestsWithoutAValidKeyAre401() throws Exception {
        HttpResponse<String> none = get("/api/training/info", null);
        HttpResponse<String> wrong = get("/api/training/info", "lmk_not_a_real_key_at_all_000000000000");
        HttpResponse<String> basic = http.send(
                call("/api/runs", null)
                        .header("Authorization", "Basic Zm9vOmJhcg==")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertProblem(none, 401, "missing-api-key");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"lmlab\"");
        assertProblem(wrong, 401, "invalid-api-key");
        assertProblem(basic, 401, "missing-api-key");
    }

    @Test
    void aKeyedRequestReachesTheServiceAsAnInternalCallWithTheCallersIdentity() throws Exception {
        String key = createKey("routing", "\"read\"", null);
        HttpResponse<String> echo = http.send(
                call("/api/training/echo", key)
                        .header("X-Request-Id", "gw-trace-1")
                        .header("X-LMLab-Key-Id", "forged")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        JsonNode seen = json(echo);
        assertThat(seen.get("path").asString()).isEqualTo("/echo");
        assertThat(seen.get("request_id").asString()).isEqualTo("gw-trace-1");
        assertThat(seen.get("authorization").isNull())
                .as("the client's key stays at the gateway")
                .isTrue();
        assertThat(seen.get("key_name").asString()).isEqualTo("routing");
        assertThat(seen.get("key_id").asString()).isNotEqualTo("forged");
        assertThat(seen.get("scopes").asString()).isEqualTo("read");
        assertThat(echo.headers().firstValue("X-Request-Id")).hasValue("gw-trace-1");
    }

    @Test
    void gatewayCreatesARequestIdWhenTheClientSendsNone() throws Exception {
        HttpResponse<String> echo = get("/api/training/echo", ADMIN_KEY);

        String id = json(echo).get("request_id").asString();
        assertThat(id).hasSize(36);
        assertThat(echo.headers().allValues("X-Request-Id")).containsOnly(id);
    }

    @Test
    void scopesDecideWhatAKeyMayDo() throws Exception {
        String reader = createKey("reader", "\"read\"", null);
        String writer = createKey("writer", "\"write\"", null);
        String job = "{\"kind\": \"selftest\", \"params\": {\"steps\": 1, \"step_millis\": 0}}";

        assertThat(get("/api/training/info", reader).statusCode()).isEqualTo(200);
        HttpResponse<String> readerPost = send("POST", "/api/training/jobs", reader, job);
        assertProblem(readerPost, 403, "insufficient-scope");
        assertThat(json(readerPost).get("required_scope").asString()).isEqualTo("write");
        assertThat(send("POST", "/api/training/jobs", writer, job).statusCode()).isEqualTo(202);
        assertProblem(get("/api/keys", writer), 403, "insufficient-scope");
        assertThat(get("/api/keys", ADMIN_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void keysAreListedWithoutSecretsAndRevokedKeysStopWorking() throws Exception {
        String secret = createKey("short-lived", "\"read\"", null);
        assertThat(get("/api/runs", secret).statusCode()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode k : json(get("/api/keys", ADMIN_KEY))) {
            if (k.get("name").asString().equals("short-lived")) {
                listed = k;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("key").isNull()).isTrue();
        assertThat(secret).startsWith(listed.get("prefix").asString());
        assertThat(listed.get("last_used_at").isNull()).isFalse();

        HttpResponse<String> revoked =
                send("DELETE", "/api/keys/" + listed.get("id").asString(), ADMIN_KEY, null);

        assertThat(revoked.statusCode()).isEqualTo(204);
        assertProblem(get("/api/runs", secret), 401, "invalid-api-key");
        assertProblem(
                send("DELETE", "/api/keys/" + listed.get("id").asString(), ADMIN_KEY, null), 404, "api-key-not-found");
    }

    @Test
    void badKeyRequestsAre400() throws Exception {
        assertProblem(
                send("POST", "/api/keys", ADMIN_KEY, "{\"name\": \"x\", \"scopes\": [\"root\"]}"),
                400,
                "invalid-scopes");
        assertProblem(
                send("POST", "/api/keys", ADMIN_KEY, "{\"name\": \"\", \"scopes\": [\"read\"]}"),
                400,
                "invalid-key-name");
        assertProblem(send("POST", "/api/keys", ADMIN_KEY, "{\"name\": \"x\", \"scopes\": []}"), 400, "invalid-scopes");
        assertProblem(
                send(
                        "POST",
                        "/api/keys",
                        ADMIN_KEY,
                        "{\"name\": \"x\", \"scopes\": [\"read\"], \"rate_limit_per_minute\": 0}"),
                400,
                "invalid-rate-limit");
        assertProblem(send("DELETE", "/api/keys/not-a-uuid", ADMIN_KEY, null), 400, "invalid-parameter");
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfter() throws Exception {
        String key = createKey("limited", "\"read\"", 3);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get("/api/runs", key);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
        }
        HttpResponse<String> limited = get("/api/runs", key);

        assertProblem(limited, 429, "rate-limited");
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 20L);
        assertThat(get("/api/runs", ADMIN_KEY).statusCode())
                .as("other keys are unaffected")
                .isEqualTo(200);
    }

    @Test
    void anUnreachableServiceIsA502Problem() throws Exception {
        HttpResponse<String> down = get("/api/interp/info", ADMIN_KEY);

        assertProblem(down, 502, "upstream-unavailable");
        assertThat(json(down).get("detail").asString()).contains("interp");
    }

    @Test
    void unknownPathsAre404AndDocsAreOpen() throws Exception {
        assertProblem(get("/api/nothing-here", ADMIN_KEY), 404, "not-found");
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/v3/api-docs", null).statusCode()).isEqualTo(200);
        HttpResponse<String> serviceDocs = get("/api/training/v3/api-docs", null);
        assertThat(serviceDocs.statusCode()).isEqualTo(200);
        assertThat(json(serviceDocs).get("paths").has("/jobs")).isTrue();
    }

    @Test
    void oversizedAndMalformedBodiesAreRefusedAtTheGateway() throws Exception {
        String big = "{\"kind\": \"selftest\", \"name\": \"" + "y".repeat(70_000) + "\"}";
        assertProblem(send("POST", "/api/training/jobs", ADMIN_KEY, big), 413, "payload-too-large");
        assertProblem(send("POST", "/api/keys", ADMIN_KEY, "{not json"), 400, "malformed-body");
    }
}

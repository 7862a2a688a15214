package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Shows the gateway's keys: no key is refused, scopes are enforced, and the demo gets a key of its own. */
public final class ApiKeysStage implements DemoStage {

    @Override
    public String title() {
        return "API keys: authentication and scopes at the gateway";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient anonymous = new GatewayClient(ctx.platform().gatewayUrl(), null);
        GatewayClient admin = anonymous.withKey(ctx.platform().adminKey());

        GatewayClient.Response refused = anonymous.get("/api/runs");
        check(refused.status() == 401, "a request without a key got " + refused.status() + ", not 401");
        ctx.console().ok("no key → 401 " + refused.body().get("type").asString());

        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        GatewayClient.Response readOnly =
                admin.post("/api/keys", "{\"name\": \"demo-reader-" + stamp + "\", \"scopes\": [\"read\"]}");
        check(readOnly.status() == 201, "creating a read-only key failed: " + readOnly.body());
        GatewayClient reader = anonymous.withKey(readOnly.body().get("key").asString());
        GatewayClient.Response forbidden = reader.post("/api/training/jobs", "{\"kind\": \"selftest\"}");
        check(forbidden.status() == 403, "a read-only key could submit a job (" + forbidden.status() + ")");
        ctx.console()
                .ok("read-only key submitting a job → 403 (needs '"
                        + forbidden.body().get("required_scope").asString() + "')");
        admin.delete("/api/keys/" + readOnly.body().get("id").asString());

        GatewayClient.Response demo =
                admin.post("/api/keys", "{\"name\": \"demo-" + stamp + "\", \"scopes\": [\"read\", \"write\"]}");
        check(demo.status() == 201, "creating the demo key failed: " + demo.body());
        ctx.useGateway(anonymous.withKey(demo.body().get("key").asString()));
        ctx.console()
                .ok("created key 'demo-" + stamp + "' (read, write), prefix "
                        + demo.body().get("prefix").asString() + "…; the secret is shown once, stored only as a hash");
        ctx.report("API keys: 401 without a key, 403 outside a key's scope");
    }
}

package dev.lmlab.launcher.demo;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The demo's durable-job stages all use the {@code selftest} job: submitting one, and reading its recorded steps
 * back to check them (each step once, none missing).
 */
final class SelfTestRuns {

    record Check(int recorded, int duplicates, int gaps) {
        boolean exactlyOnce() {
            return duplicates == 0 && gaps == 0;
        }
    }

    private SelfTestRuns() {}

    /** Submits a selftest job to the training service; {@code idempotencyKey} may be null. */
    static GatewayClient.Response submit(
            GatewayClient gateway, String name, int steps, int stepMillis, int checkpointEvery, String idempotencyKey)
            throws Exception {
        String body = "{\"kind\": \"selftest\", \"name\": \"" + name + "\", \"tags\": {\"demo\": \"foundation\"},"
                + " \"params\": {\"steps\": " + steps + ", \"step_millis\": " + stepMillis + ", \"checkpoint_every\": "
                + checkpointEvery + "}}";
        GatewayClient.Response r = gateway.post("/api/training/jobs", body, idempotencyKey);
        DemoStage.check(r.status() == 202, "submitting " + name + " answered " + r.status() + ": " + r.body());
        return r;
    }

    static List<Double> values(GatewayClient gateway, String runId, String key) throws Exception {
        GatewayClient.Response r = gateway.get("/api/runs/" + runId + "/metrics?key=" + key + "&limit=100000");
        List<Double> values = new ArrayList<>();
        for (JsonNode p : r.body().get("points")) {
            values.add(p.get("value").asDouble());
        }
        return values;
    }

    static Check check(GatewayClient gateway, String runId, int expectedSteps) throws Exception {
        GatewayClient.Response r = gateway.get("/api/runs/" + runId + "/metrics?key=selftest.step&limit=100000");
        int[] seen = new int[expectedSteps];
        int recorded = 0;
        for (JsonNode p : r.body().get("points")) {
            int step = (int) p.get("step").asLong();
            if (step >= 0 && step < expectedSteps) {
                seen[step]++;
            }
            recorded++;
        }
        int duplicates = 0;
        int gaps = 0;
        for (int count : seen) {
            duplicates += Math.max(0, count - 1);
            gaps += count == 0 ? 1 : 0;
        }
        return new Check(recorded, duplicates, gaps);
    }
}

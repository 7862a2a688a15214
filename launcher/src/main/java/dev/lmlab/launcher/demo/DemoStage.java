package dev.lmlab.launcher.demo;

import tools.jackson.databind.JsonNode;

/**
 * One part of {@code bin/lmlab demo}. Later capabilities add their own stages (a model served, a benchmark
 * graded, an SAE trained); each reports what it showed and throws {@link DemoFailure} when the platform did not
 * behave as promised.
 */
public interface DemoStage {

    String title();

    void run(DemoContext context) throws Exception;

    /** A promise the platform broke; the demo stops and prints it. */
    final class DemoFailure extends RuntimeException {
        public DemoFailure(String message) {
            super(message);
        }
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new DemoFailure(message);
        }
    }

    /** The body of a 2xx answer; any other answer stops the demo, saying what was asked. */
    static JsonNode ok(GatewayClient.Response r, String what) {
        check(r.status() / 100 == 2, what + " answered " + r.status() + ": " + r.body());
        return r.body();
    }

    /** Submits a durable run at {@code path}, follows it with a progress bar, and returns its id once it succeeded. */
    static String submitAndFollow(DemoContext ctx, String path, String body, String idempotencyKey) throws Exception {
        JsonNode run = ok(ctx.gateway().post(path, body, idempotencyKey), "submitting to " + path);
        String id = run.get("id").asString();
        ctx.console().ok("POST " + path + " → " + run.get("name").asString());
        RunWatcher.Outcome outcome = RunWatcher.follow(ctx, id, e -> {});
        check(
                outcome.status().equals("SUCCEEDED"),
                "run " + id + " ended " + outcome.status() + ": " + outcome.error());
        return id;
    }
}

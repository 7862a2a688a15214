package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** A durable job end to end: idempotent submission, live progress over SSE, metrics, a plot. */
public final class DurableJobStage implements DemoStage {

    static final int STEPS = 40;

    @Override
    public String title() {
        return "Durable job: submit, follow live, read its metrics";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        String idempotencyKey = "demo-" + UUID.randomUUID();
        GatewayClient.Response submitted =
                SelfTestRuns.submit(ctx.gateway(), "demo walk", STEPS, 75, 5, idempotencyKey);
        String runId = submitted.body().get("id").asString();
        GatewayClient.Response replay = SelfTestRuns.submit(ctx.gateway(), "demo walk", STEPS, 75, 5, idempotencyKey);

        check(runId.equals(replay.body().get("id").asString()), "replaying the Idempotency-Key made a second run");
        ctx.console()
                .ok("submitted run " + runId + " to the training service; the same Idempotency-Key replayed"
                        + " returns the same run");

        RunWatcher.Outcome outcome = RunWatcher.follow(ctx, runId, e -> {});
        check("SUCCEEDED".equals(outcome.status()), "the job ended " + outcome.status() + ": " + outcome.error());
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "SUCCEEDED; %d events streamed live (%d progress, %d checkpoints)",
                        outcome.events().size(),
                        outcome.count("progress"),
                        outcome.count("checkpoint")));

        SelfTestRuns.Check steps = SelfTestRuns.check(ctx.gateway(), runId, STEPS);
        check(steps.exactlyOnce() && steps.recorded() == STEPS, "recorded steps are off: " + steps);
        List<Double> curve = SelfTestRuns.values(ctx.gateway(), runId, "selftest.value");
        ctx.console().line("selftest.value by step (GET /api/runs/" + runId.substring(0, 8) + "…/metrics?key=…):");
        double[] values = curve.stream().mapToDouble(Double::doubleValue).toArray();
        for (String row : AsciiChart.render(values, 60, 8)) {
            ctx.console().line(row);
        }
        ctx.report("durable job: " + STEPS + " steps, live progress over SSE, every step recorded once");
    }
}

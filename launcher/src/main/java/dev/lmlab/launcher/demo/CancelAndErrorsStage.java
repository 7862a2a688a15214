package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

/** Cooperative cancel, and what bad requests get back: problems a person can act on. */
public final class CancelAndErrorsStage implements DemoStage {

    @Override
    public String title() {
        return "Cancel a running job; bad requests get clear problems";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient gw = ctx.gateway();
        GatewayClient.Response submitted = SelfTestRuns.submit(gw, "demo cancel", 1000, 50, 10, null);
        String runId = submitted.body().get("id").asString();
        while (SelfTestRuns.check(gw, runId, 1000).recorded() < 5) {
            Thread.sleep(100);
        }
        GatewayClient.Response cancel = gw.post("/api/runs/" + runId + "/cancel", null);
        check(cancel.status() == 202, "cancel answered " + cancel.status());
        RunWatcher.Outcome outcome = RunWatcher.follow(ctx, runId, e -> {});
        check("CANCELLED".equals(outcome.status()), "the cancelled job ended " + outcome.status());
        ctx.console()
                .ok("cancelled between steps after "
                        + SelfTestRuns.check(gw, runId, 1000).recorded() + " of 1000");
        GatewayClient.Response again = gw.post("/api/runs/" + runId + "/cancel", null);
        check(again.status() == 409, "cancelling a finished run answered " + again.status());
        ctx.console()
                .ok("cancelling it again → 409: " + again.body().get("detail").asString());

        GatewayClient.Response typo =
                gw.post("/api/training/jobs", "{\"kind\": \"selftest\", \"params\": {\"stepz\": 3}}");
        check(typo.status() == 400, "a params typo answered " + typo.status());
        ctx.console().ok("a typo in params → 400: " + typo.body().get("detail").asString());
        GatewayClient.Response missing = gw.get("/api/runs/00000000-0000-0000-0000-000000000000");
        check(missing.status() == 404, "an unknown run answered " + missing.status());
        ctx.console().ok("an unknown run → 404 " + missing.body().get("type").asString());
        ctx.report("cancel is cooperative; bad input gets 4xx application/problem+json");
    }
}

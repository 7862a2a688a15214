package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The promise behind durable jobs, shown for real: the training service is killed with SIGKILL mid-job and
 * started again; the job resumes from its last checkpoint and ends with every step recorded exactly once.
 */
public final class CrashResumeStage implements DemoStage {

    static final int STEPS = 50;
    static final int KILL_AT = 23;

    @Override
    public String title() {
        return "Crash: SIGKILL the worker mid-job, restart it, the job resumes";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient.Response submitted = SelfTestRuns.submit(ctx.gateway(), "demo crash", STEPS, 100, 10, null);
        String runId = submitted.body().get("id").asString();
        ctx.console().line("run " + runId + ": " + STEPS + " steps, a checkpoint every 10");

        while (SelfTestRuns.check(ctx.gateway(), runId, STEPS).recorded() < KILL_AT) {
            Thread.sleep(100);
        }
        ctx.platform().crash("training");
        ctx.console()
                .ok("killed the training service (SIGKILL) mid-job, " + KILL_AT + "+ of " + STEPS
                        + " steps recorded; restarting it");
        ctx.platform().restart("training");
        ctx.console().ok("training service is back; waiting for it to find the orphaned job (no heartbeat for ~8 s)");

        AtomicBoolean announced = new AtomicBoolean();
        RunWatcher.Outcome outcome = RunWatcher.follow(ctx, runId, e -> {
            if ("resumed".equals(e.type()) && announced.compareAndSet(false, true)) {
                var d = e.data().get("data");
                ctx.console().endStatus();
                ctx.console()
                        .ok(String.format(
                                Locale.ROOT,
                                "resumed at step %d by the new worker; %d metric points after the checkpoint discarded",
                                d.get("from_step").asLong(),
                                d.get("discarded_metric_points").asLong()));
            }
        });
        check(
                "SUCCEEDED".equals(outcome.status()),
                "after the crash the job ended " + outcome.status() + ": " + outcome.error());
        check(outcome.count("resumed") == 1, "expected one resume, saw " + outcome.count("resumed"));
        SelfTestRuns.Check steps = SelfTestRuns.check(ctx.gateway(), runId, STEPS);
        check(
                steps.exactlyOnce(),
                "after the crash: " + steps.duplicates() + " duplicate and " + steps.gaps() + " missing steps");
        ctx.console().ok("SUCCEEDED with " + steps.recorded() + " steps recorded: 0 duplicates, 0 gaps");
        ctx.report("crash and resume: worker killed mid-job, job resumed from its checkpoint, every step exactly once");
    }
}

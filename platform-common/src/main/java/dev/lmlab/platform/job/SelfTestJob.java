package dev.lmlab.platform.job;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * A job every service can run to prove the job machinery end to end: it walks through {@code steps} steps,
 * logs a decaying synthetic curve ({@code selftest.value}) and the step it finished ({@code selftest.step}),
 * reports progress and checkpoints as a real job would. The demo and the crash tests use it; its recorded
 * steps show whether work was lost or done twice.
 */
public class SelfTestJob implements JobHandler<SelfTestJob.Params> {

    /**
     * @param steps how many steps to walk
     * @param stepMillis how long each step takes
     * @param checkpointEvery steps between checkpoints
     * @param failAtStep throw at this step (to watch a failure), or null
     */
    public record Params(
            @Min(1) @Max(1_000_000) Integer steps,
            @Min(0) @Max(600_000) Long stepMillis,
            @Min(1) Integer checkpointEvery,
            @Min(0) Integer failAtStep) {

        public Params {
            steps = steps == null ? 20 : steps;
            stepMillis = stepMillis == null ? 100L : stepMillis;
            checkpointEvery = checkpointEvery == null ? 5 : checkpointEvery;
        }
    }

    /** What a checkpoint holds: the running sum, to show that state survives a resume. */
    public record State(double sum) {}

    @Override
    public String kind() {
        return "selftest";
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Walks N steps, logging metrics, progress and checkpoints: proves durable jobs end to end";
    }

    @Override
    public Params defaultParams() {
        return new Params(null, null, null, null);
    }

    @Override
    public String defaultName(Params params) {
        return "selftest-" + params.steps();
    }

    @Override
    public void run(JobContext context, Params params) throws InterruptedException {
        double sum = context.checkpointState(State.class).map(State::sum).orElse(0.0);
        long start = context.resumeStep();
        if (context.resumed()) {
            context.message("resuming at step " + start + " of " + params.steps());
        }
        for (long step = start; step < params.steps(); step++) {
            context.sleep(Duration.ofMillis(params.stepMillis()));
            if (params.failAtStep() != null && step == params.failAtStep()) {
                throw new IllegalStateException("selftest was asked to fail at step " + step);
            }
            double value = 2.0 * Math.exp(-3.0 * step / params.steps()) + 0.1;
            sum += value;
            context.metric("selftest.value", step, value);
            context.metric("selftest.step", step, step);
            if ((step + 1) % params.checkpointEvery() == 0) {
                context.checkpoint(step + 1, new State(sum));
            }
            context.progress(step + 1, params.steps());
        }
        context.metric("selftest.sum", params.steps(), sum);
    }
}

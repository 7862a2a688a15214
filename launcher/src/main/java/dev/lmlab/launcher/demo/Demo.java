package dev.lmlab.launcher.demo;

import dev.lmlab.launcher.Console;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/lmlab demo}: the platform's main job, end to end through the gateway, as a readable report. Each
 * capability adds its stage to {@link #STAGES}.
 */
public final class Demo {

    static final List<DemoStage> STAGES = List.of(
            new PlatformStage(),
            new ApiKeysStage(),
            new ServicesStage(),
            new DurableJobStage(),
            new CrashResumeStage(),
            new CancelAndErrorsStage(),
            new ServingStage(),
            new TabomStage(),
            new EvalStage(),
            new InterpStage(),
            new SaeStage());

    private Demo() {}

    /** Runs every stage in order; returns the process exit code. */
    public static int run(DemoContext ctx) {
        Console console = ctx.console();
        console.title("LM Lab demo");
        long start = System.nanoTime();
        int index = 0;
        for (DemoStage stage : STAGES) {
            index++;
            console.stage(index, STAGES.size(), stage.title());
            long stageStart = System.nanoTime();
            try {
                stage.run(ctx);
            } catch (DemoStage.DemoFailure e) {
                console.fail(e.getMessage());
                console.raw(console.red("\nDemo failed at stage " + index + " (" + stage.title() + ")."));
                return 1;
            } catch (Exception e) {
                console.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
                console.raw(console.red("\nDemo failed at stage " + index + " (" + stage.title()
                        + "); the service logs are in the data folder's logs/."));
                return 1;
            }
            console.line(console.dim(String.format(Locale.ROOT, "(%.1f s)", (System.nanoTime() - stageStart) / 1e9)));
        }
        console.title(String.format(
                Locale.ROOT, "Report: %d stages passed in %.1f s", STAGES.size(), (System.nanoTime() - start) / 1e9));
        for (String line : ctx.reportLines()) {
            console.ok(line);
        }
        console.raw("");
        console.raw("The platform is still up: " + ctx.platform().gatewayUrl() + "  (bin/lmlab down stops it)");
        return 0;
    }
}

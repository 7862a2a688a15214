package dev.lmlab.launcher.demo;

import java.util.Locale;

/** Brings the platform up if it is not already. */
public final class PlatformStage implements DemoStage {

    @Override
    public String title() {
        return "Platform: PostgreSQL, gateway and four services";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        double seconds = ctx.platform().ensureUp();
        if (seconds > 0) {
            ctx.report(String.format(Locale.ROOT, "platform started from cold in %.1f s", seconds));
        } else {
            ctx.console().ok("already up at " + ctx.platform().gatewayUrl());
            ctx.report("platform was already up");
        }
    }
}

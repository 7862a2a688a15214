package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Asks every service, through the gateway, who it is. */
public final class ServicesStage implements DemoStage {

    static final List<String> SERVICES = List.of("inference", "training", "eval", "interp");

    @Override
    public String title() {
        return "Services behind the gateway";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        ctx.console()
                .line(ctx.console()
                        .dim(String.format(
                                Locale.ROOT, "%-10s %-16s %-8s %s", "service", "version", "ms", "job kinds")));
        List<String> names = new ArrayList<>();
        for (String service : SERVICES) {
            long start = System.nanoTime();
            GatewayClient.Response info = ctx.gateway().get("/api/" + service + "/info");
            double ms = (System.nanoTime() - start) / 1e6;
            check(info.status() == 200, service + " /info answered " + info.status());
            check(
                    service.equals(info.body().get("name").asString()),
                    "the route to " + service + " reached " + info.body().get("name"));
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "%-10s %-16s %-8.1f %s",
                            service,
                            info.body().get("version").asString(),
                            ms,
                            info.body().get("job_kinds")));
            names.add(service);
        }
        ctx.report("routing: " + String.join(", ", names) + " answer through the gateway with the internal token");
    }
}

package dev.lmlab.launcher.demo;

import dev.lmlab.launcher.Console;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** Follows a run's event stream and draws its progress bar until the run ends. */
final class RunWatcher {

    /** How a followed run ended, with every event seen on the way. */
    record Outcome(String status, String error, List<GatewayClient.Event> events) {

        long count(String type) {
            return events.stream().filter(e -> type.equals(e.type())).count();
        }
    }

    private RunWatcher() {}

    static Outcome follow(DemoContext ctx, String runId, Consumer<GatewayClient.Event> also) throws Exception {
        Console console = ctx.console();
        List<GatewayClient.Event> seen = new ArrayList<>();
        String[] status = {"QUEUED"};
        String[] error = {null};
        double[] progress = {0};
        Double[] eta = {null};
        ctx.gateway().follow(runId, event -> {
            seen.add(event);
            var data = event.data().get("data");
            switch (event.type()) {
                case "status" -> {
                    status[0] = data.get("status").asString();
                    error[0] = data.has("error") ? data.get("error").asString() : null;
                }
                case "progress" -> {
                    progress[0] = data.get("progress").asDouble();
                    eta[0] = data.has("eta_seconds") ? data.get("eta_seconds").asDouble() : null;
                }
                default -> {}
            }
            also.accept(event);
            boolean over = !"QUEUED".equals(status[0]) && !"RUNNING".equals(status[0]);
            String etaText = eta[0] == null || over ? "" : String.format(Locale.ROOT, "  eta %4.1f s", eta[0]);
            console.status(
                    String.format(
                            Locale.ROOT,
                            "%s %3.0f%%  %-9s%s",
                            Console.bar(progress[0], 30),
                            progress[0] * 100,
                            status[0],
                            etaText),
                    "status".equals(event.type()));
        });
        console.endStatus();
        return new Outcome(status[0], error[0], seen);
    }
}

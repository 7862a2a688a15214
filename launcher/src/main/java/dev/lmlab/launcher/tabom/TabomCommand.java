package dev.lmlab.launcher.tabom;

import dev.lmlab.launcher.Console;
import dev.lmlab.launcher.demo.DemoContext;
import dev.lmlab.launcher.demo.GatewayClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/lmlab tabom [--budget full|short] [--out DIR] [--tag NAME]}: runs the toy TABOM experiment on the
 * platform (starting it if needed) and writes {@code tabom.md} and {@code tabom.png} into DIR (default
 * {@code docs/experiments}). Runs are submitted with idempotency keys derived from the tag (default: the budget's
 * name), so an interrupted command picks up where it stopped; a new tag starts afresh.
 */
public final class TabomCommand {

    private TabomCommand() {}

    public static int run(String[] args, DemoContext.PlatformControl platform, Console console) throws Exception {
        TabomBudget budget = TabomBudget.FULL;
        Path out = Path.of("docs", "experiments");
        String tag = null;
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--budget" -> budget = TabomBudget.named(require(value, "--budget"));
                case "--out" -> out = Path.of(require(value, "--out"));
                case "--tag" -> tag = require(value, "--tag");
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: bin/lmlab tabom [--budget full|short] [--out DIR] [--tag NAME]");
            }
            i++;
        }
        console.title("LM Lab: toy TABOM experiment (" + budget.name() + " budget)");
        double startup = platform.ensureUp();
        if (startup > 0) {
            console.ok(String.format(Locale.ROOT, "platform started in %.1f s", startup));
        }
        GatewayClient gw = new GatewayClient(platform.gatewayUrl(), platform.adminKey());
        TabomResults results = new TabomExperiment(gw, console, budget, tag == null ? budget.name() : tag).run();
        TabomReport report = new TabomReport(results);
        report.print(console);
        Path written = report.write(out, machine());
        console.ok("wrote " + written + " and " + written.resolveSibling("tabom.png"));
        return 0;
    }

    private static String require(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** Cores, memory and CPU model, for the report's header. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            cpu = lines.stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException e) {
            // not Linux: the core count still says most of it
        }
        long memory = ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return String.format(
                Locale.ROOT, "%d cores, %s, %d GiB", Runtime.getRuntime().availableProcessors(), cpu, memory >> 30);
    }
}

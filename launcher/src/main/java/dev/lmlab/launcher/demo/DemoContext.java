package dev.lmlab.launcher.demo;

import dev.lmlab.launcher.Console;
import java.util.ArrayList;
import java.util.List;

/** What a demo stage works with: the terminal, the gateway, the platform's processes, and the report. */
public final class DemoContext {

    /** The process operations a stage may need, without exposing the launcher's internals. */
    public interface PlatformControl {
        /** Brings the platform up if it is not; returns the seconds start-up took (0 if it was up). */
        double ensureUp() throws Exception;

        /** The admin key: {@code LMLAB_ADMIN_KEY}, or the one the gateway wrote into the data folder. */
        String adminKey() throws Exception;

        /** SIGKILL a service's JVM, as a crash would. */
        void crash(String service) throws Exception;

        /** Starts a stopped service again and waits until it is ready. */
        void restart(String service) throws Exception;

        String gatewayUrl();
    }

    private final Console console;
    private final PlatformControl platform;
    private final List<String> report = new ArrayList<>();
    private GatewayClient gateway;

    public DemoContext(Console console, PlatformControl platform) {
        this.console = console;
        this.platform = platform;
    }

    public Console console() {
        return console;
    }

    public PlatformControl platform() {
        return platform;
    }

    /** The gateway, with the key stages should use (the demo key once the key stage made it). */
    public GatewayClient gateway() {
        if (gateway == null) {
            throw new IllegalStateException("no API key yet: the key stage runs first");
        }
        return gateway;
    }

    public void useGateway(GatewayClient client) {
        this.gateway = client;
    }

    /** One line for the final report. */
    public void report(String line) {
        report.add(line);
    }

    public List<String> reportLines() {
        return List.copyOf(report);
    }
}

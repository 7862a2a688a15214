package dev.lmlab.launcher;

import dev.lmlab.launcher.demo.Demo;
import dev.lmlab.launcher.demo.DemoContext;
import dev.lmlab.launcher.tabom.TabomCommand;
import java.nio.file.Files;
import java.util.Map;

/** {@code bin/lmlab up | down | status | demo | tabom}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        Console console = Console.system();
        Layout layout = Layout.fromEnvironment(env);
        Platform platform = new Platform(layout, env, console);
        String command = args.length == 0 ? "help" : args[0];
        int code;
        try {
            code = switch (command) {
                case "up" -> {
                    console.title("LM Lab: starting");
                    platform.up();
                    yield 0;
                }
                case "down" -> {
                    console.title("LM Lab: stopping");
                    platform.down();
                    yield 0;
                }
                case "status" -> {
                    console.title("LM Lab: status (" + layout.home() + ")");
                    yield platform.status() ? 0 : 3;
                }
                case "demo" -> Demo.run(new DemoContext(console, control(platform, layout, env, console)));
                case "tabom" -> TabomCommand.run(args, control(platform, layout, env, console), console);
                default -> {
                    usage(console);
                    yield "help".equals(command) || "--help".equals(command) ? 0 : 2;
                }
            };
        } catch (Exception e) {
            console.fail(e.getMessage() == null ? e.toString() : e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    private static DemoContext.PlatformControl control(
            Platform platform, Layout layout, Map<String, String> env, Console console) {
        return new DemoContext.PlatformControl() {
            @Override
            public double ensureUp() throws Exception {
                return platform.healthy() ? 0 : platform.up();
            }

            @Override
            public String adminKey() throws Exception {
                String fromEnv = env.get("LMLAB_ADMIN_KEY");
                if (fromEnv != null && !fromEnv.isBlank()) {
                    return fromEnv.trim();
                }
                if (!Files.exists(layout.adminKey())) {
                    throw new IllegalStateException("No admin key: set LMLAB_ADMIN_KEY, or use a fresh data folder"
                            + " so the gateway writes one to " + layout.adminKey());
                }
                return Files.readString(layout.adminKey()).trim();
            }

            @Override
            public void crash(String service) throws Exception {
                platform.process(component(service)).kill();
            }

            @Override
            public void restart(String service) throws Exception {
                platform.start(component(service));
                platform.awaitReady(System.nanoTime());
            }

            @Override
            public String gatewayUrl() {
                return platform.gatewayUrl();
            }
        };
    }

    private static Component component(String name) {
        for (Component c : Component.values()) {
            if (c.shortName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no component " + name);
    }

    private static void usage(Console console) {
        console.raw("""
                usage: bin/lmlab <command>

                  up      start PostgreSQL (embedded unless LMLAB_DB_URL is set) and every service; wait until ready
                  down    stop the services and the embedded PostgreSQL
                  status  show what is running
                  demo    bring the platform up if needed and run the end-to-end scenario through the gateway
                  tabom   run the toy TABOM experiment on the platform and write docs/experiments/tabom.md
                          [--budget full|short] [--out DIR] [--tag NAME]

                environment: LMLAB_HOME (data folder, default ./data), LMLAB_DB_URL / LMLAB_DB_USER / LMLAB_DB_PASSWORD,
                LMLAB_DB_PORT (embedded, default 5433), LMLAB_GATEWAY_PORT (8080), LMLAB_<SERVICE>_PORT,
                LMLAB_ADMIN_KEY, LMLAB_INTERNAL_TOKEN, LMLAB_JAVA_OPTS
                """);
    }
}

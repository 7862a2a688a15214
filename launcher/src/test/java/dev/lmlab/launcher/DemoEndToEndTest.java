package dev.lmlab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/lmlab demo} as a fresh machine runs it: an empty data folder, the embedded PostgreSQL, the service
 * jars this build just packaged, every call through the gateway. Ports are moved off the defaults so a platform
 * a developer has running is left alone.
 */
class DemoEndToEndTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static Path home;
    static Map<String, String> env;

    @Test
    void theDemoRunsEndToEndOnEmbeddedDefaultsAndPrintsItsReport() throws Exception {
        for (Component c : Component.values()) {
            assertThat(ROOT.resolve(c.module()).resolve("target").resolve("lmlab-" + c.shortName() + ".jar"))
                    .as("the full build (./mvnw verify) packages the services before this test")
                    .exists();
        }
        home = Files.createTempDirectory("lmlab-demo-test");
        env = new java.util.HashMap<>(Map.of(
                "LMLAB_ROOT", ROOT.toString(),
                "LMLAB_HOME", home.toString(),
                "LMLAB_DB_PORT", String.valueOf(ChildJvm.freePort())));
        for (Component c : Component.values()) {
            env.put(c.portVariable(), String.valueOf(ChildJvm.freePort()));
        }

        Result demo = launcher("demo");

        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output())
                .contains("all healthy in")
                .contains("no key → 401")
                .contains("0 duplicates, 0 gaps")
                .contains("cancelled between steps")
                .contains("Report: 6 stages passed");
        assertThat(home.resolve("admin.key")).exists();
        assertThat(Files.getPosixFilePermissions(home.resolve("admin.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        Result status = launcher("status");
        assertThat(status.exitCode()).as(status.output()).isZero();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (env != null) {
            Result down = launcher("down");
            assertThat(down.output()).contains("stopped gateway").contains("stopped embedded PostgreSQL");
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    record Result(int exitCode, String output) {}

    static Result launcher(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                command));
        Path out = Files.createTempFile("lmlab-" + command, ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/lmlab " + command + " did not finish:\n" + Files.readString(out));
        }
        String output = Files.readString(out);
        System.out.println(output);
        return new Result(p.exitValue(), output);
    }
}

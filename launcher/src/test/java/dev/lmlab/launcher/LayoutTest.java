package dev.lmlab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutTest {

    @Test
    void dataFolderDefaultsToTheCheckoutAndFollowsLmlabHome() {
        Layout defaults = Layout.fromEnvironment(Map.of("LMLAB_ROOT", "/srv/lmlab"));
        Layout moved = Layout.fromEnvironment(Map.of("LMLAB_ROOT", "/srv/lmlab", "LMLAB_HOME", "/var/lib/lmlab"));

        assertThat(defaults.home()).isEqualTo(Path.of("/srv/lmlab/data"));
        assertThat(moved.home()).isEqualTo(Path.of("/var/lib/lmlab"));
        assertThat(moved.jar(Component.TRAINING))
                .isEqualTo(Path.of("/srv/lmlab/training-service/target/lmlab-training.jar"));
        assertThat(moved.adminKey()).isEqualTo(Path.of("/var/lib/lmlab/admin.key"));
    }

    @Test
    void portsAndDatabaseFollowTheEnvironment() {
        Map<String, String> env = Map.of("LMLAB_TRAINING_PORT", "9182", "LMLAB_DB_PORT", "6543");
        Layout layout = Layout.fromEnvironment(Map.of("LMLAB_ROOT", "/x"));

        assertThat(Component.TRAINING.port(env)).isEqualTo(9182);
        assertThat(Component.GATEWAY.port(env)).isEqualTo(8080);
        assertThat(new Database(layout, env).url()).isEqualTo("jdbc:postgresql://127.0.0.1:6543/lmlab");
        assertThat(new Database(layout, Map.of("LMLAB_DB_URL", "jdbc:postgresql://db:5432/x")).url())
                .isEqualTo("jdbc:postgresql://db:5432/x");
    }
}

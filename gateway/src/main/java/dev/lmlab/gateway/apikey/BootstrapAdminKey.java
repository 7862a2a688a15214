package dev.lmlab.gateway.apikey;

import dev.lmlab.gateway.GatewayProperties;
import dev.lmlab.platform.config.PlatformProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** On start, makes sure an admin key exists and, if it generated one, writes it to the data folder. */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);
    static final String FILE_NAME = "admin.key";

    private final ApiKeyService keys;
    private final GatewayProperties gateway;
    private final PlatformProperties platform;

    BootstrapAdminKey(ApiKeyService keys, GatewayProperties gateway, PlatformProperties platform) {
        this.keys = keys;
        this.gateway = gateway;
        this.platform = platform;
    }

    @Override
    public void run(ApplicationArguments args) {
        Optional<String> generated = keys.bootstrap(gateway.adminKey());
        Path file = Path.of(platform.home()).resolve(FILE_NAME).toAbsolutePath();
        if (generated.isPresent()) {
            write(file, generated.get());
            log.info("Generated the first admin API key into {} (readable by this user only)", file);
        } else if (gateway.adminKey() != null && !gateway.adminKey().isBlank()) {
            log.info("Admin API key taken from LMLAB_ADMIN_KEY");
        } else {
            log.info("Admin API keys exist; the first one generated is in {} if it was kept", file);
        }
    }

    private static void write(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not write the generated admin key to " + file
                            + "; set LMLAB_HOME to a writable folder or LMLAB_ADMIN_KEY to a key of your own",
                    e);
        }
    }
}

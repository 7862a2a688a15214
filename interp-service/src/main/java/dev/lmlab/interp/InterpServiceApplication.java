package dev.lmlab.interp;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.files.DataRoot;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * The interp service: activation sets captured through the inference service, contrast directions and the
 * granularity analysis, persona (trait) vectors and steering-vector algebra, steering experiments graded through
 * the eval service. Reached through the gateway at {@code /api/interp}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class InterpServiceApplication {

    /** Activation shards, analyses and experiment outputs: the artifacts root every service shares. */
    @Bean
    DataRoot artifactsRoot(InterpProperties properties, PlatformProperties platform) {
        return DataRoot.of("artifacts root", properties.artifactsRoot(), platform.home(), "artifacts");
    }

    public static void main(String[] args) {
        SpringApplication.run(InterpServiceApplication.class, args);
    }
}

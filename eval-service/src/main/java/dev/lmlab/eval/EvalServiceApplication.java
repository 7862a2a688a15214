package dev.lmlab.eval;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.files.DataRoot;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * The eval service: grades models served by the inference service on benchmarks, with pass@k over sampled
 * trials, and starts evaluations on its own when the training service announces a checkpoint. Reached through the
 * gateway at {@code /api/eval}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EvalServiceApplication {

    /** Where benchmark files, reports and trial exports live: the artifacts root every service shares. */
    @Bean
    DataRoot artifactsRoot(EvalProperties properties, PlatformProperties platform) {
        return DataRoot.of("artifacts root", properties.artifactsRoot(), platform.home(), "artifacts");
    }

    public static void main(String[] args) {
        SpringApplication.run(EvalServiceApplication.class, args);
    }
}

package dev.lmlab.inference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The inference service: serves lm-core models: generation, scoring, activations, steering. Reached through
 * the gateway at {@code /api/inference}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class InferenceServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(InferenceServiceApplication.class, args);
    }
}

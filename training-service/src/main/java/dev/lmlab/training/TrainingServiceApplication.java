package dev.lmlab.training;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The training service: durable post-training jobs (pretraining, SFT, masked-diffusion NELBO, trajectory-NELBO,
 * TABOM) whose checkpoints are registered with the inference service and may trigger evaluations. Reached through
 * the gateway at {@code /api/training}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TrainingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(TrainingServiceApplication.class, args);
    }
}

package dev.lmlab.training;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The training service: post-training jobs: SFT, NELBO, TABOM. Reached through the gateway at {@code
 * /api/training}.
 */
@SpringBootApplication
public class TrainingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(TrainingServiceApplication.class, args);
    }
}

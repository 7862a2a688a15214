package dev.lmlab.eval;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The eval service: grades models served by the inference service on benchmarks, with pass@k over sampled
 * trials, and starts evaluations on its own when the training service announces a checkpoint. Reached through the
 * gateway at {@code /api/eval}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EvalServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(EvalServiceApplication.class, args);
    }
}

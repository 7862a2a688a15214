package dev.lmlab.eval;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The eval service: benchmarks, graders, trials, reports. Reached through the gateway at {@code /api/eval}.
 */
@SpringBootApplication
public class EvalServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(EvalServiceApplication.class, args);
    }
}

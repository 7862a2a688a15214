package dev.lmlab.platform.testapp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A bare service made only of platform-common: what every LM Lab service is before it adds its own features.
 * The crash tests start it as separate JVMs.
 */
@SpringBootApplication
public class TestServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(TestServiceApplication.class, args);
    }
}

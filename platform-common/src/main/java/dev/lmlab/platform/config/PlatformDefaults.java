package dev.lmlab.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * Adds {@code lmlab-defaults.properties} below everything else, so every service starts with the platform's
 * conventions (snake_case JSON, probes, Prometheus, job scheduler timing) and any of them can still be
 * overridden by a service's application.yml or the environment.
 */
public class PlatformDefaults implements EnvironmentPostProcessor {

    static final String RESOURCE = "lmlab-defaults.properties";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            environment
                    .getPropertySources()
                    .addLast(new ResourcePropertySource("lmlab-defaults", new ClassPathResource(RESOURCE)));
        } catch (IOException e) {
            throw new UncheckedIOException("platform-common is missing " + RESOURCE, e);
        }
    }
}

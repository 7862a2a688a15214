package dev.lmlab.testing;

import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Points every Spring test context at a fresh database from {@link TestPostgres}, so no module copies
 * database set-up. A test that brings its own database (to share it between
 * contexts, say) sets {@code lmlab.test.own-database=true} with its {@code spring.datasource.url}.
 */
public class PostgresContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        return new FreshDatabase();
    }

    /** Equal to every other instance so that Spring's context cache still works across test classes. */
    static final class FreshDatabase implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            if (context.getEnvironment().getProperty("lmlab.test.own-database", Boolean.class, false)) {
                return;
            }
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            sources.addFirst(new MapPropertySource(
                    "lmlab-test-postgres", java.util.Map.of("spring.datasource.url", TestPostgres.createDatabase())));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FreshDatabase;
        }

        @Override
        public int hashCode() {
            return FreshDatabase.class.hashCode();
        }
    }
}

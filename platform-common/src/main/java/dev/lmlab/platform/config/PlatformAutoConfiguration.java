package dev.lmlab.platform.config;

import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.db.PlatformMigrations;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.BodySizeLimitFilter;
import dev.lmlab.platform.web.InternalTokenFilter;
import dev.lmlab.platform.web.ProblemHandler;
import dev.lmlab.platform.web.ProblemWriter;
import dev.lmlab.platform.web.RequestIdFilter;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/** What every LM Lab process gets by depending on platform-common: errors, filters, registry, migrations. */
@AutoConfiguration
@EnableConfigurationProperties(PlatformProperties.class)
@Import({ProblemHandler.class, dev.lmlab.platform.info.InfoConfiguration.class})
public class PlatformAutoConfiguration {

    @Bean
    ProblemWriter problemWriter(JsonMapper json) {
        return new ProblemWriter(json);
    }

    @Bean
    FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        FilterRegistrationBean<RequestIdFilter> bean = new FilterRegistrationBean<>(new RequestIdFilter());
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return bean;
    }

    @Bean
    FilterRegistrationBean<InternalTokenFilter> internalTokenFilter(PlatformProperties p, ProblemWriter problems) {
        boolean required = p.service().internalTokenRequired();
        if (required && (p.internalToken() == null || p.internalToken().isBlank())) {
            throw new IllegalStateException("Service '" + p.service().name() + "' has no internal token: set"
                    + " LMLAB_INTERNAL_TOKEN to the secret shared with the gateway (bin/lmlab up does it for you).");
        }
        FilterRegistrationBean<InternalTokenFilter> bean =
                new FilterRegistrationBean<>(new InternalTokenFilter(required ? p.internalToken() : "", problems));
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        bean.setEnabled(required);
        return bean;
    }

    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(PlatformProperties p, ProblemWriter problems) {
        FilterRegistrationBean<BodySizeLimitFilter> bean = new FilterRegistrationBean<>(
                new BodySizeLimitFilter(p.http().maxBodySize().toBytes(), problems));
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return bean;
    }

    @Bean
    RunRegistry runRegistry(JdbcClient jdbc, JsonMapper json, TransactionTemplate tx) {
        return new RunRegistry(jdbc, json, tx);
    }

    @Bean
    IdempotencyKeys idempotencyKeys(JdbcClient jdbc, TransactionTemplate tx, RunRegistry registry, JsonMapper json) {
        return new IdempotencyKeys(jdbc, tx, registry, json);
    }

    @Bean
    ServiceClients serviceClients(PlatformProperties p, RestClient.Builder builder) {
        return new ServiceClients(p, builder);
    }

    @Bean
    FlywayMigrationStrategy platformMigrations(DataSource dataSource, PlatformProperties p) {
        return new PlatformMigrations(dataSource);
    }
}

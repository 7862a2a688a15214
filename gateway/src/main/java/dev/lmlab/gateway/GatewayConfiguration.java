package dev.lmlab.gateway;

import dev.lmlab.gateway.apikey.ApiKeyFilter;
import dev.lmlab.gateway.apikey.ApiKeyService;
import dev.lmlab.gateway.ratelimit.TokenBucketLimiter;
import dev.lmlab.platform.web.ProblemWriter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    @Bean
    TokenBucketLimiter tokenBucketLimiter() {
        return new TokenBucketLimiter();
    }

    /** Right after the request id is set, before any body is read. */
    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(
            ApiKeyService keys, TokenBucketLimiter limiter, GatewayProperties properties, ProblemWriter problems) {
        FilterRegistrationBean<ApiKeyFilter> bean =
                new FilterRegistrationBean<>(new ApiKeyFilter(keys, limiter, properties.rateLimit(), problems));
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 15);
        return bean;
    }
}

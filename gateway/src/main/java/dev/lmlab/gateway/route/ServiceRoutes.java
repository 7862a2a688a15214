package dev.lmlab.gateway.route;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.stripPrefix;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.path;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.Caller;
import dev.lmlab.platform.web.InternalTokenFilter;
import dev.lmlab.platform.web.RequestIdFilter;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * {@code /api/<service>/**} → that service, for every service in {@code lmlab.services}. On the way the client's
 * key is swapped for the internal token and the caller's identity, and the request id travels along.
 */
@Configuration(proxyBeanMethods = false)
class ServiceRoutes {

    private static final Logger log = LoggerFactory.getLogger(ServiceRoutes.class);

    @Bean
    RouterFunction<ServerResponse> lmlabServiceRoutes(PlatformProperties platform) {
        String token = platform.internalToken();
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("The gateway needs LMLAB_INTERNAL_TOKEN, the secret it shares with the"
                    + " services (bin/lmlab up sets it for you).");
        }
        RouterFunction<ServerResponse> routes = null;
        for (Map.Entry<String, URI> service : platform.services().entrySet()) {
            String name = service.getKey();
            RouterFunction<ServerResponse> r = route(name)
                    .route(path("/api/" + name + "/**"), http())
                    .before(uri(service.getValue()))
                    .before(stripPrefix(2))
                    .before(request -> asInternalCall(request, token))
                    .build();
            routes = routes == null ? r : routes.and(r);
            log.info("Routing /api/{}/** to {}", name, service.getValue());
        }
        if (routes == null) {
            throw new IllegalStateException("No services to route to: set lmlab.services.<name>=<base URL>");
        }
        return routes;
    }

    /** Drops the client's credentials and any identity headers it forged; adds ours. */
    static ServerRequest asInternalCall(ServerRequest request, String token) {
        Caller caller = Caller.of(request.servletRequest());
        String requestId = RequestIdFilter.current();
        return ServerRequest.from(request)
                .headers(h -> {
                    h.remove(HttpHeaders.AUTHORIZATION);
                    h.set(InternalTokenFilter.HEADER, token);
                    h.set(Caller.KEY_ID_HEADER, caller.keyId());
                    h.set(Caller.KEY_NAME_HEADER, caller.keyName());
                    h.set(Caller.SCOPES_HEADER, caller.scopesHeader());
                    if (requestId != null) {
                        h.set(RequestIdFilter.HEADER, requestId);
                    }
                })
                .build();
    }
}

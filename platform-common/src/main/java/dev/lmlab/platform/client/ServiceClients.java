package dev.lmlab.platform.client;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.Caller;
import dev.lmlab.platform.web.InternalTokenFilter;
import dev.lmlab.platform.web.RequestIdFilter;
import java.net.URI;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * How a service calls another: a {@link RestClient} on the peer's base URL ({@code lmlab.services.<name>}) that
 * sends the internal token, the current request id and the caller the request came from, so a call chain keeps
 * one id in every log and the peer knows on whose behalf it works. Typed clients for each service build on it.
 */
public class ServiceClients {

    private final PlatformProperties properties;
    private final RestClient.Builder builder;

    public ServiceClients(PlatformProperties properties, RestClient.Builder builder) {
        this.properties = properties;
        this.builder = builder;
    }

    /** A client for the service named {@code name} in {@code lmlab.services}. */
    public RestClient forService(String name) {
        URI base = properties.services().get(name);
        if (base == null) {
            throw new IllegalStateException("No URL for service '" + name + "': set lmlab.services." + name
                    + " (or LMLAB_" + name.toUpperCase(java.util.Locale.ROOT) + "_URL where the config reads it)");
        }
        return forUrl(base);
    }

    public RestClient forUrl(URI base) {
        return builder.clone()
                .baseUrl(base.toString())
                .defaultHeader(InternalTokenFilter.HEADER, properties.internalToken())
                .requestInterceptor(propagateContext())
                .build();
    }

    private static ClientHttpRequestInterceptor propagateContext() {
        return (request, body, execution) -> {
            String requestId = RequestIdFilter.current();
            if (requestId != null) {
                request.getHeaders().set(RequestIdFilter.HEADER, requestId);
            }
            if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
                Caller caller = Caller.of(attributes.getRequest());
                request.getHeaders().set(Caller.KEY_ID_HEADER, caller.keyId());
                request.getHeaders().set(Caller.KEY_NAME_HEADER, caller.keyName());
                request.getHeaders().set(Caller.SCOPES_HEADER, caller.scopesHeader());
            }
            return execution.execute(request, body);
        };
    }
}

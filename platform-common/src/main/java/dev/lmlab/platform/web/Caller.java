package dev.lmlab.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who a request is for: the API key the gateway authenticated. Services receive it in headers the gateway
 * sets (and strips from client requests); they trust them because the internal token came with them.
 *
 * @param keyId the API key's id, or {@code anonymous} for calls that carried no key (internal calls)
 * @param keyName the key's human name
 * @param scopes read, write, admin
 */
public record Caller(String keyId, String keyName, Set<String> scopes) {

    public static final String KEY_ID_HEADER = "X-LMLab-Key-Id";
    public static final String KEY_NAME_HEADER = "X-LMLab-Key-Name";
    public static final String SCOPES_HEADER = "X-LMLab-Scopes";
    public static final Caller ANONYMOUS = new Caller("anonymous", "anonymous", Set.of());

    private static final String ATTRIBUTE = Caller.class.getName();

    public static Caller fromHeaders(HttpServletRequest request) {
        String id = request.getHeader(KEY_ID_HEADER);
        if (id == null || id.isBlank()) {
            return ANONYMOUS;
        }
        String name = request.getHeader(KEY_NAME_HEADER);
        String scopes = request.getHeader(SCOPES_HEADER);
        Set<String> parsed = scopes == null
                ? Set.of()
                : Arrays.stream(scopes.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
        return new Caller(id, name == null ? id : name, parsed);
    }

    /**
     * The caller a filter established for this request (the gateway's key check, or a service's internal token
     * check); anonymous otherwise. Identity headers are never trusted on their own.
     */
    public static Caller of(HttpServletRequest request) {
        Object attached = request.getAttribute(ATTRIBUTE);
        return attached instanceof Caller c ? c : ANONYMOUS;
    }

    public void attachTo(HttpServletRequest request) {
        request.setAttribute(ATTRIBUTE, this);
    }

    public String scopesHeader() {
        return scopes.stream().sorted().collect(Collectors.joining(","));
    }
}

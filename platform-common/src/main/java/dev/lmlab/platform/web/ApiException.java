package dev.lmlab.platform.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error the caller can act on. It becomes an RFC 9457 problem: {@code type} is {@code
 * urn:lmlab:problem:<slug>} (stable, safe to match on), {@code detail} says what was wrong and how to fix it,
 * and {@code properties} carry structured extras such as the valid values.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String slug;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ApiException(HttpStatus status, String slug, String detail) {
        super(detail);
        this.status = status;
        this.slug = slug;
    }

    public static ApiException badRequest(String slug, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, slug, detail);
    }

    public static ApiException notFound(String slug, String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, slug, detail);
    }

    public static ApiException conflict(String slug, String detail) {
        return new ApiException(HttpStatus.CONFLICT, slug, detail);
    }

    public ApiException with(String property, Object value) {
        properties.put(property, value);
        return this;
    }

    public HttpStatus status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}

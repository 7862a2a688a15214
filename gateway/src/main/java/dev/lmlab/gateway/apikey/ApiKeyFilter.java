package dev.lmlab.gateway.apikey;

import dev.lmlab.gateway.GatewayProperties;
import dev.lmlab.gateway.ratelimit.TokenBucketLimiter;
import dev.lmlab.platform.web.Caller;
import dev.lmlab.platform.web.ProblemWriter;
import dev.lmlab.platform.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every request through the gateway needs {@code Authorization: Bearer <key>} (what OpenAI SDKs send), a key
 * with the scope the request needs (GET reads, other methods write, {@code /api/keys} is admin), and room in
 * the key's rate limit. Probes, metrics and API docs are open.
 */
public class ApiKeyFilter extends OncePerRequestFilter {

    private static final Pattern OPEN =
            Pattern.compile("/actuator/health(/.*)?|/actuator/prometheus|/v3/api-docs(/.*)?|/swagger-ui(\\.html|/.*)?"
                    + "|/api/[a-z]+/v3/api-docs");

    private final ApiKeyService keys;
    private final TokenBucketLimiter limiter;
    private final GatewayProperties.RateLimit defaults;
    private final ProblemWriter problems;

    public ApiKeyFilter(
            ApiKeyService keys,
            TokenBucketLimiter limiter,
            GatewayProperties.RateLimit defaults,
            ProblemWriter problems) {
        this.keys = keys;
        this.limiter = limiter;
        this.defaults = defaults;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return OPEN.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            unauthorized(response, "missing-api-key", "Send an API key as 'Authorization: Bearer <key>'.");
            return;
        }
        Optional<ApiKey> key = keys.authenticate(header.substring(7).trim());
        if (key.isEmpty()) {
            unauthorized(response, "invalid-api-key", "This API key is unknown or revoked.");
            return;
        }
        ApiKey apiKey = key.get();
        Scope needed = requiredScope(request);
        if (!apiKey.allows(needed)) {
            ProblemDetail problem = Problems.of(
                    HttpStatus.FORBIDDEN,
                    "insufficient-scope",
                    "This request needs the '" + needed.value() + "' scope; key '" + apiKey.name() + "' has "
                            + apiKey.scopes().stream()
                                    .map(Scope::value)
                                    .sorted()
                                    .toList() + ".");
            problem.setProperty("required_scope", needed.value());
            problems.write(response, problem);
            return;
        }
        int perMinute =
                apiKey.rateLimitPerMinute() != null ? apiKey.rateLimitPerMinute() : defaults.requestsPerMinute();
        int burst = Math.min(defaults.burst(), perMinute);
        TokenBucketLimiter.Decision decision = limiter.tryAcquire(apiKey.id().toString(), perMinute, burst);
        response.setHeader("X-RateLimit-Limit", String.valueOf(perMinute));
        response.setHeader("X-RateLimit-Remaining", String.valueOf(decision.remaining()));
        if (!decision.allowed()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(decision.retryAfterSeconds()));
            ProblemDetail problem = Problems.of(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Key '" + apiKey.name() + "' is limited to " + perMinute + " requests per minute (bursts of "
                            + burst + "); retry in " + decision.retryAfterSeconds() + " s.");
            problem.setProperty("retry_after_seconds", decision.retryAfterSeconds());
            problems.write(response, problem);
            return;
        }
        new Caller(
                        apiKey.id().toString(),
                        apiKey.name(),
                        apiKey.scopes().stream().map(Scope::value).collect(Collectors.toSet()))
                .attachTo(request);
        chain.doFilter(request, response);
    }

    static Scope requiredScope(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path.equals("/api/keys") || path.startsWith("/api/keys/")) {
            return Scope.ADMIN;
        }
        return switch (request.getMethod()) {
            case "GET", "HEAD", "OPTIONS" -> Scope.READ;
            default -> Scope.WRITE;
        };
    }

    private void unauthorized(HttpServletResponse response, String slug, String detail) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lmlab\"");
        problems.write(response, HttpStatus.UNAUTHORIZED, slug, detail);
    }
}

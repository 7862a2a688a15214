package dev.lmlab.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Services answer only the gateway and each other: every call must carry the shared internal token. Health
 * probes and the Prometheus scrape stay open, as orchestrators and scrapers hold no token.
 */
public class InternalTokenFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-LMLab-Internal-Token";

    private final byte[] token;
    private final ProblemWriter problems;

    public InternalTokenFilter(String token, ProblemWriter problems) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented == null || !MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            problems.write(
                    response,
                    HttpStatus.UNAUTHORIZED,
                    "internal-token-required",
                    "This service only answers the LM Lab gateway and its peers: call it through the gateway"
                            + " with an API key, or send the shared " + HEADER + " header.");
            return;
        }
        Caller.fromHeaders(request).attachTo(request);
        chain.doFilter(request, response);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.equals("/actuator/health")
                || path.startsWith("/actuator/health/")
                || path.equals("/actuator/prometheus");
    }
}

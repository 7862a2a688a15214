package dev.lmlab.platform.web;

import java.net.URI;
import org.slf4j.MDC;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Builds problems the same way everywhere, so {@code type} values and the request id never drift. */
public final class Problems {

    public static final String TYPE_PREFIX = "urn:lmlab:problem:";

    private Problems() {}

    public static ProblemDetail of(HttpStatusCode status, String slug, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + slug));
        String requestId = MDC.get(RequestIdFilter.MDC_KEY);
        if (requestId != null) {
            problem.setProperty("request_id", requestId);
        }
        return problem;
    }

    public static ProblemDetail of(ApiException e) {
        ProblemDetail problem = of(e.status(), e.slug(), e.getMessage());
        e.properties().forEach(problem::setProperty);
        return problem;
    }
}

package dev.lmlab.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place exceptions become RFC 9457 problems. Bad input is a 4xx with a detail a person can act on;
 * an unexpected failure is a 500 that names the request id to look up in the logs, never a stack trace.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final Pattern SERVICE_PATH = Pattern.compile("/api/([a-z]+)/");

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        HttpHeaders headers = new HttpHeaders();
        Object retryAfter = e.properties().get("retry_after_seconds");
        if (retryAfter != null) {
            headers.set(HttpHeaders.RETRY_AFTER, retryAfter.toString());
        }
        return problem(e.status(), Problems.of(e), headers);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null
                ? "another type"
                : e.getRequiredType().getSimpleName();
        ProblemDetail problem = Problems.of(
                HttpStatus.BAD_REQUEST,
                "invalid-parameter",
                "'" + e.getName() + "' must be a " + expected + ", got '" + e.getValue() + "'");
        problem.setProperty("parameter", e.getName());
        return problem(HttpStatus.BAD_REQUEST, problem, new HttpHeaders());
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<ProblemDetail> constraint(ConstraintViolationException e) {
        Map<String, String> fields = new LinkedHashMap<>();
        e.getConstraintViolations().forEach(v -> fields.put(v.getPropertyPath().toString(), v.getMessage()));
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Invalid values: " + fields);
        problem.setProperty("fields", fields);
        return problem(HttpStatus.BAD_REQUEST, problem, new HttpHeaders());
    }

    /** A service this request needed did not answer: the gateway's upstream, or a peer a service calls. */
    @ExceptionHandler(ResourceAccessException.class)
    ResponseEntity<ProblemDetail> upstreamUnavailable(ResourceAccessException e, HttpServletRequest request) {
        log.warn(
                "Upstream unreachable while serving {} {}: {}",
                request.getMethod(),
                request.getRequestURI(),
                e.getMessage());
        Matcher service = SERVICE_PATH.matcher(request.getRequestURI());
        String who = service.lookingAt() ? "The " + service.group(1) + " service" : "A service this request needs";
        ProblemDetail problem = Problems.of(
                HttpStatus.BAD_GATEWAY,
                "upstream-unavailable",
                who + " is not reachable (" + e.getMessage() + "); it may be down or still starting.");
        return problem(HttpStatus.BAD_GATEWAY, problem, new HttpHeaders());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unhandled error while serving request {}", RequestIdFilter.current(), e);
        ProblemDetail problem = Problems.of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error",
                "Something failed on our side; the logs have the details under request id " + RequestIdFilter.current()
                        + ".");
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, problem, new HttpHeaders());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        e.getBindingResult().getFieldErrors().forEach(f -> fields.put(f.getField(), f.getDefaultMessage()));
        e.getBindingResult().getGlobalErrors().forEach(g -> fields.put(g.getObjectName(), g.getDefaultMessage()));
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Invalid fields: " + fields);
        problem.setProperty("fields", fields);
        return asObject(problem(HttpStatus.BAD_REQUEST, problem, headers));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        e.getParameterValidationResults()
                .forEach(r -> r.getResolvableErrors()
                        .forEach(
                                err -> fields.put(r.getMethodParameter().getParameterName(), err.getDefaultMessage())));
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Invalid values: " + fields);
        problem.setProperty("fields", fields);
        return asObject(problem(HttpStatus.BAD_REQUEST, problem, headers));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (causedByOversizedBody(e)) {
            ProblemDetail problem = Problems.of(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "payload-too-large",
                    "The request body is larger than this service accepts (lmlab.http.max-body-size).");
            return asObject(problem(HttpStatus.CONTENT_TOO_LARGE, problem, headers));
        }
        String reason = e.getMostSpecificCause().getMessage();
        ProblemDetail problem = Problems.of(
                HttpStatus.BAD_REQUEST,
                "malformed-body",
                "The request body is not valid JSON for this endpoint: " + firstLine(reason));
        return asObject(problem(HttpStatus.BAD_REQUEST, problem, headers));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // Spring's own 4xx (405, 415, missing parameter, unknown route...): keep its detail, add our type.
        ProblemDetail problem = body instanceof ProblemDetail p
                ? p
                : e instanceof ErrorResponse er ? er.getBody() : ProblemDetail.forStatus(status);
        ProblemDetail ours = Problems.of(status, slugFor(status), problem.getDetail());
        if (problem.getProperties() != null) {
            problem.getProperties().forEach(ours::setProperty);
        }
        return asObject(problem(status, ours, headers));
    }

    private static ResponseEntity<ProblemDetail> problem(
            HttpStatusCode status, ProblemDetail problem, HttpHeaders headers) {
        return ResponseEntity.status(status)
                .headers(headers)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ResponseEntity<Object> asObject(ResponseEntity<ProblemDetail> entity) {
        return (ResponseEntity) entity;
    }

    private static boolean causedByOversizedBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimitFilter.PayloadTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    static String slugFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 503 -> "unavailable";
            default -> "http-" + status.value();
        };
    }
}

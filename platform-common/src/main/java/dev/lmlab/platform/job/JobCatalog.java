package dev.lmlab.platform.job;

import dev.lmlab.platform.web.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** The job kinds this service runs, and strict binding of their params. */
public class JobCatalog {

    private final Map<String, JobHandler<?>> handlers = new TreeMap<>();
    private final JsonMapper json;
    private final Validator validator;

    public JobCatalog(List<JobHandler<?>> handlers, JsonMapper json, Validator validator) {
        for (JobHandler<?> h : handlers) {
            JobHandler<?> previous = this.handlers.put(h.kind(), h);
            if (previous != null) {
                throw new IllegalStateException("Two handlers for job kind '" + h.kind() + "': "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        this.json = json;
        this.validator = validator;
    }

    public Optional<JobHandler<?>> find(String kind) {
        return Optional.ofNullable(handlers.get(kind));
    }

    public JobHandler<?> require(String kind) {
        return find(kind)
                .orElseThrow(() -> ApiException.badRequest(
                                "unknown-job-kind",
                                "Unknown job kind '" + kind + "'; this service runs " + kinds() + ".")
                        .with("valid_kinds", kinds()));
    }

    public List<String> kinds() {
        return List.copyOf(handlers.keySet());
    }

    public List<JobHandler<?>> handlers() {
        return List.copyOf(handlers.values());
    }

    /**
     * Reads params for {@code handler}: unknown fields are refused (a typo in a hyperparameter must not pass
     * silently), then bean validation runs. Errors are 400s that name the field.
     */
    public <P> P bind(JobHandler<P> handler, JsonNode params) {
        P bound = read(handler, params);
        handler.check(bound);
        return bound;
    }

    /**
     * Params as {@link #bind} reads and validates them, without the handler's {@code check}: for a job about to
     * run, whose params passed it at submission (a check may read whole datasets or call other services).
     */
    public <P> P read(JobHandler<P> handler, JsonNode params) {
        JsonNode source = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
        P bound;
        try {
            bound = json.readerFor(handler.paramsType())
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(source);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds() == null
                    ? List.of()
                    : e.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .toList();
            throw ApiException.badRequest(
                            "invalid-params",
                            "Unknown field '" + e.getPropertyName() + "' in params of a '" + handler.kind()
                                    + "' job; its fields are " + known + ".")
                    .with("field", e.getPropertyName())
                    .with("valid_fields", known);
        } catch (MismatchedInputException e) {
            String field = fieldPath(e);
            throw ApiException.badRequest(
                            "invalid-params",
                            "Params of a '" + handler.kind() + "' job: '" + field + "' must be "
                                    + expected(e.getTargetType()) + ".")
                    .with("field", field);
        } catch (JacksonException e) {
            String field = fieldPath(e);
            throw ApiException.badRequest(
                            "invalid-params",
                            "Params of a '" + handler.kind() + "' job: '" + field + "' could not be read.")
                    .with("field", field);
        }
        if (bound == null) {
            throw ApiException.badRequest("invalid-params", "params must be a JSON object");
        }
        Set<ConstraintViolation<P>> violations = validator.validate(bound);
        if (!violations.isEmpty()) {
            Map<String, String> fields = new LinkedHashMap<>();
            violations.forEach(v -> fields.put(v.getPropertyPath().toString(), v.getMessage()));
            throw ApiException.badRequest(
                            "invalid-params", "Params for a '" + handler.kind() + "' job are invalid: " + fields)
                    .with("fields", fields);
        }
        return bound;
    }

    private static String fieldPath(JacksonException e) {
        return e.getPath().stream()
                .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b)
                .orElse("params");
    }

    /** What a JSON value of this Java type looks like, in a caller's words. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "of another form";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }
}

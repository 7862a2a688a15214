package dev.lmlab.eval.target;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.peers.InferenceClient;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.InternalTokenFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks and opens targets. An outside endpoint is called only when its base URL lies under one of {@code
 * lmlab.eval.allowed-endpoints}: a run must not make the eval service call arbitrary internal addresses on a user's
 * say-so. Keys are named by reference and read only when a target is opened, so no key is stored with a run or
 * echoed back.
 */
@Component
public class Targets {

    static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final int MAX_TIMEOUT_SECONDS = 3600;

    private final EvalProperties eval;
    private final PlatformProperties platform;
    private final InferenceClient inference;
    private final JsonMapper json;
    private final Path secrets;
    private final HttpClient http;

    public Targets(EvalProperties eval, PlatformProperties platform, InferenceClient inference, JsonMapper json) {
        this.eval = eval;
        this.platform = platform;
        this.inference = inference;
        this.json = json;
        this.secrets = Path.of(platform.home()).resolve("secrets").resolve("eval");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect must not lead past the allow-list
                .build();
    }

    /** Where {@code file:NAME} key references point. */
    public Path secretsFolder() {
        return secrets;
    }

    /**
     * Checks a target without calling it: fields, the allow-list, the key reference. 400s name {@code field}.
     */
    public void check(TargetSpec spec, String field) {
        if (spec == null) {
            throw invalid(field, field + " is required: {\"model\": \"<id>\"} or an OpenAI-compatible endpoint");
        }
        if (spec.model() == null || spec.model().isBlank() || spec.model().length() > 256) {
            throw invalid(field + ".model", field + ".model is required (1 to 256 characters)");
        }
        if (spec.timeoutSeconds() != null
                && (spec.timeoutSeconds() < 1 || spec.timeoutSeconds() > MAX_TIMEOUT_SECONDS)) {
            throw invalid(field + ".timeout_seconds", field + ".timeout_seconds is 1.." + MAX_TIMEOUT_SECONDS);
        }
        switch (spec.type()) {
            case TargetSpec.INFERENCE -> {
                if (spec.baseUrl() != null || spec.apiKeyRef() != null) {
                    throw invalid(
                            field + ".type",
                            field + " names a base_url or key: set \"type\": \"openai\" for an outside endpoint");
                }
            }
            case TargetSpec.OPENAI -> {
                URI base = parseBase(spec.baseUrl(), field + ".base_url");
                if (!allowed(base)) {
                    throw ApiException.badRequest(
                                    "target-not-allowed",
                                    eval.allowedEndpoints().isEmpty()
                                            ? "no outside endpoints are allowed here (lmlab.eval.allowed-endpoints is"
                                                    + " empty): only models of the inference service can be graded"
                                            : base + " is not under an allowed endpoint; allowed: "
                                                    + eval.allowedEndpoints())
                            .with("field", field + ".base_url");
                }
                if (spec.apiKeyRef() != null) {
                    readKey(spec.apiKeyRef(), field + ".api_key_ref");
                }
            }
            default ->
                throw invalid(
                        field + ".type",
                        field + ".type is 'inference' (a served model) or 'openai' (an outside endpoint), not '"
                                + spec.type() + "'");
        }
    }

    /** {@link #check}, and for a served model that the inference service knows it (404 {@code unknown-model}). */
    public void requireAvailable(TargetSpec spec, String field) {
        check(spec, field);
        if (!spec.external()) {
            inference.requireModel(spec.model());
        }
    }

    /** A target to call; the key, if any, is read now. */
    public Target open(TargetSpec spec) {
        Duration timeout = Duration.ofSeconds(spec.timeout());
        if (!spec.external()) {
            URI base = platform.services().get("inference");
            if (base == null) {
                throw new IllegalStateException("no URL for the inference service: set lmlab.services.inference");
            }
            return new OpenAiTarget(
                    http,
                    URI.create(stripSlash(base.toString()) + "/v1"),
                    spec.model(),
                    Map.of(InternalTokenFilter.HEADER, platform.internalToken()),
                    timeout,
                    "model '" + spec.model() + "' of the inference service",
                    json);
        }
        URI base = parseBase(spec.baseUrl(), "base_url");
        if (!allowed(base)) { // the allow-list may have shrunk since the run was accepted
            throw new IllegalStateException(base + " is no longer under an allowed endpoint");
        }
        Map<String, String> headers = spec.apiKeyRef() == null
                ? Map.of()
                : Map.of("Authorization", "Bearer " + readKey(spec.apiKeyRef(), "api_key_ref"));
        return new OpenAiTarget(
                http, base, spec.model(), headers, timeout, "model '" + spec.model() + "' at " + base, json);
    }

    /** Whether {@code base} lies under an allowed endpoint: same scheme, host and port, whole path segments. */
    boolean allowed(URI base) {
        for (URI allowed : eval.allowedEndpoints()) {
            if (allowed.getScheme() == null || allowed.getHost() == null) {
                continue;
            }
            boolean sameOrigin = allowed.getScheme().equalsIgnoreCase(base.getScheme())
                    && allowed.getHost().equalsIgnoreCase(base.getHost())
                    && port(allowed) == port(base);
            String prefix = stripSlash(allowed.getPath() == null ? "" : allowed.getPath());
            String path = stripSlash(base.getPath() == null ? "" : base.getPath());
            if (sameOrigin && (path.equals(prefix) || path.startsWith(prefix + "/"))) {
                return true;
            }
        }
        return false;
    }

    private static URI parseBase(String url, String field) {
        if (url == null || url.isBlank()) {
            throw invalid(field, field + " is required for an outside endpoint, e.g. https://api.example.com/v1");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (java.net.URISyntaxException e) {
            throw invalid(field, field + " is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!List.of("http", "https").contains(scheme) || uri.getHost() == null) {
            throw invalid(field, field + " must be an http(s) URL with a host, not '" + url + "'");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(field, field + " takes no user info, query or fragment; keys go in api_key_ref");
        }
        if (uri.getPath() != null
                && (uri.getPath().contains("/../") || uri.getPath().endsWith("/.."))) {
            throw invalid(field, field + " must not contain '..' segments");
        }
        return URI.create(stripSlash(uri.toString()));
    }

    private String readKey(String ref, String field) {
        int colon = ref.indexOf(':');
        String kind = colon < 0 ? "" : ref.substring(0, colon);
        String name = colon < 0 ? "" : ref.substring(colon + 1);
        if (!SECRET_NAME.matcher(name).matches() || !List.of("file", "env").contains(kind)) {
            throw invalid(
                    field,
                    field + " is 'file:NAME' (a file in the eval secrets folder) or 'env:NAME'; the key itself"
                            + " is never sent in a request");
        }
        if (kind.equals("env")) {
            String value = System.getenv(name);
            if (value == null || value.isBlank()) {
                throw ApiException.badRequest("unknown-secret", "the eval service has no environment variable " + name)
                        .with("field", field);
            }
            return value.strip();
        }
        Path file = secrets.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw ApiException.badRequest(
                            "unknown-secret",
                            "no key file '" + name + "' in the eval secrets folder (<home>/secrets/eval)")
                    .with("field", field);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + file, e);
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String stripSlash(String s) {
        String out = s;
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-target", detail).with("field", field);
    }
}

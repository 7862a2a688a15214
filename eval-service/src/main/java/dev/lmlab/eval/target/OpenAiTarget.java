package dev.lmlab.eval.target;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A target spoken to over the OpenAI wire format: the inference service (with the internal token) or an outside
 * endpoint (with its bearer key). A full queue (503, 429) is waited out as the endpoint's Retry-After says, up to
 * the call's timeout; anything else that is not a completion is a {@link TargetException} naming what happened.
 */
final class OpenAiTarget implements Target {

    /** Answers larger than this are refused rather than read into memory. */
    static final int MAX_ANSWER_BYTES = 8 << 20;

    private final HttpClient http;
    private final URI base;
    private final String model;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final String description;
    private final JsonMapper json;

    OpenAiTarget(
            HttpClient http,
            URI base,
            String model,
            Map<String, String> headers,
            Duration timeout,
            String description,
            JsonMapper json) {
        this.http = http;
        this.base = base;
        this.model = model;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.description = description;
        this.json = json;
    }

    @Override
    public Reply complete(String prompt, Sampling sampling, long seed) throws TargetException, InterruptedException {
        Map<String, Object> body = request(sampling, seed);
        body.put("prompt", prompt);
        return call("/completions", body, false);
    }

    @Override
    public Reply chat(List<Message> messages, Sampling sampling, long seed)
            throws TargetException, InterruptedException {
        Map<String, Object> body = request(sampling, seed);
        body.put(
                "messages",
                messages.stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        return call("/chat/completions", body, true);
    }

    @Override
    public String describe() {
        return description;
    }

    private Map<String, Object> request(Sampling s, long seed) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("max_tokens", s.maxTokens());
        body.put("temperature", s.temperature());
        body.put("seed", seed);
        if (!s.stop().isEmpty()) {
            body.put("stop", s.stop());
        }
        // diffusion settings only where asked for: outside endpoints may refuse fields they do not know
        if (s.steps() != null) {
            body.put("steps", s.steps());
        }
        if (s.blockLength() != null) {
            body.put("block_length", s.blockLength());
        }
        return body;
    }

    private Reply call(String path, Map<String, Object> body, boolean chat)
            throws TargetException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        headers.forEach(request::header);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            HttpResponse<InputStream> response;
            byte[] answer;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
                }
            } catch (HttpTimeoutException e) {
                throw new TargetException(description + " did not answer within " + timeout.toSeconds() + " s");
            } catch (ConnectException e) {
                throw new TargetException(description + " is unreachable: " + reason(e), e);
            } catch (IOException e) {
                throw new TargetException(description + " is unreachable or broke the connection: " + reason(e), e);
            }
            int status = response.statusCode();
            if (status == 503 || status == 429) {
                long wait = retryAfterMillis(response);
                if (System.nanoTime() + wait * 1_000_000 < deadline) {
                    Thread.sleep(wait);
                    continue;
                }
                throw new TargetException(description + " stayed busy (" + status + ") for " + timeout.toSeconds()
                        + " s: " + snippet(answer));
            }
            if (answer.length > MAX_ANSWER_BYTES) {
                throw new TargetException(description + " answered more than " + (MAX_ANSWER_BYTES >> 20) + " MiB");
            }
            if (status / 100 != 2) {
                throw new TargetException(description + " answered " + status + ": " + snippet(answer));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return parse(answer, chat, millis);
        }
    }

    private Reply parse(byte[] answer, boolean chat, long millis) throws TargetException {
        JsonNode body;
        try {
            body = json.readTree(answer);
        } catch (JacksonException e) {
            throw new TargetException(description + " answered something that is not JSON: " + snippet(answer));
        }
        JsonNode choice = body.path("choices").path(0);
        JsonNode text = chat ? choice.path("message").path("content") : choice.path("text");
        if (!text.isString() && !text.isNull()) {
            throw new TargetException(description + " answered without "
                    + (chat ? "choices[0].message.content" : "choices[0].text") + ": " + snippet(answer));
        }
        if (choice.isMissingNode()) {
            throw new TargetException(description + " answered no choices: " + snippet(answer));
        }
        JsonNode usage = body.path("usage");
        return new Reply(
                text.isNull() ? "" : text.asString(),
                usage.path("prompt_tokens").isNumber()
                        ? usage.get("prompt_tokens").asInt()
                        : null,
                usage.path("completion_tokens").isNumber()
                        ? usage.get("completion_tokens").asInt()
                        : null,
                millis);
    }

    private static long retryAfterMillis(HttpResponse<?> response) {
        String header = response.headers().firstValue("Retry-After").orElse("1").trim();
        try {
            return Math.min(30_000, Math.max(100, (long) (Double.parseDouble(header) * 1000)));
        } catch (NumberFormatException e) {
            return 1000; // an HTTP date: not worth parsing for a queue that drains in seconds
        }
    }

    private static String reason(IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static String snippet(byte[] answer) {
        String text = new String(answer, 0, Math.min(answer.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return answer.length > 300 ? text + "…" : text;
    }
}

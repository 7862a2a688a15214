package dev.lmlab.launcher.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the demo needs of the gateway: JSON calls with an API key, and reading an SSE stream. */
public final class GatewayClient {

    /** A response: status and parsed JSON body (null when the body is empty). */
    public record Response(int status, JsonNode body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** One server-sent event. */
    public record Event(long id, String type, JsonNode data) {}

    private static final JsonMapper JSON = JsonMapper.shared();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String apiKey;

    public GatewayClient(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    public GatewayClient withKey(String key) {
        return new GatewayClient(baseUrl, key);
    }

    public Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public Response delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    public Response post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, null);
    }

    public Response post(String path, String json, String idempotencyKey) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path)
                .header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b);
    }

    /** POSTs {@code json} and hands each {@code data:} payload of the event stream it answers to {@code onData}. */
    public void postStream(String path, String json, Consumer<String> onData) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = http.send(
                request(path)
                        .header("Content-Type", "application/json")
                        .header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": "
                    + String.join("\n", response.body().toList()));
        }
        Iterator<String> lines = response.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data:")) {
                onData.accept(line.substring(5).trim());
            }
        }
    }

    /** Reads {@code /api/runs/{id}/events} until the server ends the stream (the run finished). */
    public void follow(String runId, Consumer<Event> onEvent) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = http.send(
                request("/api/runs/" + runId + "/events")
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IOException("event stream answered " + response.statusCode());
        }
        long id = -1;
        String type = null;
        StringBuilder data = new StringBuilder();
        Iterator<String> lines = response.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id:")) {
                id = Long.parseLong(line.substring(3).trim());
            } else if (line.startsWith("event:")) {
                type = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5));
            } else if (line.isEmpty() && data.length() > 0) {
                onEvent.accept(new Event(id, type, JSON.readTree(data.toString())));
                data.setLength(0);
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
        return new Response(r.statusCode(), body, r);
    }
}

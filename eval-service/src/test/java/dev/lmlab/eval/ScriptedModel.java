package dev.lmlab.eval;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An external OpenAI-compatible endpoint for tests, on a loopback port: it answers {@code /v1/chat/completions}
 * and {@code /v1/completions} with whatever its script says for the request, after an optional delay, and records
 * every request. It stands in for a model outside the platform (a hosted judge, a vendor API), never for the eval
 * service under test.
 */
public final class ScriptedModel implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final HttpServer server;
    private final Function<JsonNode, String> script;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;

    public ScriptedModel(Function<JsonNode, String> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/v1/", this::answer);
        server.start();
    }

    /** The base URL a target names: {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public ScriptedModel delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The last user message of a chat request, or the prompt of a completion request. */
    public static String lastUserText(JsonNode request) {
        if (request.has("prompt")) {
            return request.get("prompt").asString();
        }
        JsonNode messages = request.get("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).get("role").asString().equals("user")) {
                return messages.get(i).get("content").asString();
            }
        }
        return "";
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            ObjectNode request =
                    (ObjectNode) JSON.readTree(exchange.getRequestBody().readAllBytes());
            // the test reads which key came with the call; the script never sees it
            request.put("_authorization", exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add(request);
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            String text = script.apply(request);
            ObjectNode body = JSON.createObjectNode();
            body.put("object", "chat.completion");
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            if (exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                choice.putObject("message").put("role", "assistant").put("content", text);
            } else {
                choice.put("text", text);
            }
            body.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 3);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            byte[] bytes = e.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serving: two tiny checkpoints (a Llama-shaped causal model and a LLaDA-style masked-diffusion one) registered
 * with the inference service, a chat through its OpenAI-compatible API, streamed, and a diffusion generation
 * whose trajectory is drawn step by step as the response unmasks.
 */
public final class ServingStage implements DemoStage {

    static final String CAUSAL = "demo-llama";
    static final String DIFFUSION = "demo-llada";
    private static final JsonMapper JSON = JsonMapper.shared();

    @Override
    public String title() {
        return "Serving: OpenAI-compatible chat and diffusion decoding with its trajectory";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient gw = ctx.gateway();
        for (String[] m : new String[][] {{CAUSAL, "llama"}, {DIFFUSION, "llada"}}) {
            GatewayClient.Response r = gw.post(
                    "/api/inference/models/tiny", "{\"id\":\"" + m[0] + "\",\"family\":\"" + m[1] + "\",\"seed\":7}");
            check(r.status() == 200 || r.status() == 201, "registering " + m[0] + " answered " + r.status());
            JsonNode info = r.body();
            ctx.console()
                    .ok(String.format(
                            Locale.ROOT,
                            "registered %s: %s, %s, %,d parameters (random weights, character tokenizer)",
                            m[0],
                            info.get("architecture").asString(),
                            info.get("kind").asString(),
                            info.get("parameters").asLong()));
        }
        GatewayClient.Response models = gw.get("/api/inference/v1/models");
        check(models.status() == 200 && models.body().get("data").size() >= 2, "GET /v1/models: " + models.status());

        String chat = "{\"model\":\"" + CAUSAL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":24,\"temperature\":0.8,\"seed\":1";
        GatewayClient.Response reply = gw.post("/api/inference/v1/chat/completions", chat + "}");
        check(reply.status() == 200, "chat completion answered " + reply.status() + ": " + reply.body());
        JsonNode usage = reply.body().get("usage");
        String content =
                reply.body().get("choices").get(0).get("message").get("content").asString();
        ctx.console().ok("POST /api/inference/v1/chat/completions → " + quote(content));
        ctx.console()
                .line(String.format(
                        Locale.ROOT,
                        "  usage: %d prompt + %d completion tokens (gibberish is expected: the weights are random)",
                        usage.get("prompt_tokens").asInt(),
                        usage.get("completion_tokens").asInt()));

        StringBuilder streamed = new StringBuilder();
        int[] chunks = {0};
        boolean[] done = {false};
        gw.postStream("/api/inference/v1/chat/completions", chat + ",\"stream\":true}", data -> {
            if (data.equals("[DONE]")) {
                done[0] = true;
                return;
            }
            JsonNode choice = JSON.readTree(data).get("choices").get(0);
            String delta = choice.get("delta").path("content").asString("");
            if (!delta.isEmpty()) {
                chunks[0]++;
                streamed.append(delta);
            }
        });
        check(done[0], "the stream did not end with data: [DONE]");
        check(streamed.toString().equals(content), "the stream's text differs from the same seed's reply");
        ctx.console().ok("the same request with stream=true: " + chunks[0] + " chunks, same text, then [DONE]");

        String diffusion = "{\"model\":\"" + DIFFUSION + "\",\"prompt\":\"Once upon a time\",\"gen_length\":24,"
                + "\"steps\":12,\"block_length\":8,\"return_trajectory\":true}";
        GatewayClient.Response generated = gw.post("/api/inference/v1/diffusion/generate", diffusion);
        check(generated.status() == 200, "diffusion generate answered " + generated.status() + ": " + generated.body());
        JsonNode body = generated.body();
        List<String> picture = unmasking(body, ctx.console());
        ctx.console()
                .ok("POST /api/inference/v1/diffusion/generate: 24 positions, 3 blocks of 8, 12 steps ("
                        + body.get("forward_passes").asInt() + " forward passes); ░ = still masked, bold = this step:");
        for (String row : picture) {
            ctx.console().line(row);
        }
        ctx.report("serving: chat (whole and streamed) through the OpenAI-compatible API, diffusion decoding with a "
                + body.get("trajectory").size() + "-step trajectory");
    }

    /** One line per step: the response so far, masked positions as ░, this step's tokens emphasised. */
    static List<String> unmasking(JsonNode body, dev.lmlab.launcher.Console console) {
        int promptTokens = body.get("prompt_tokens").asInt();
        int length = body.get("output_ids").size();
        char[] canvas = new char[length];
        java.util.Arrays.fill(canvas, '░');
        List<String> rows = new ArrayList<>();
        for (JsonNode step : body.get("trajectory")) {
            boolean[] fresh = new boolean[length];
            for (int i = 0; i < step.get("positions").size(); i++) {
                int at = step.get("positions").get(i).asInt() - promptTokens;
                String text = step.get("token_texts").get(i).asString();
                canvas[at] = text.length() == 1 && !Character.isISOControl(text.charAt(0)) ? text.charAt(0) : '·';
                fresh[at] = true;
            }
            StringBuilder row = new StringBuilder(
                    String.format(Locale.ROOT, "  step %2d │ ", step.get("step").asInt()));
            for (int p = 0; p < length; p++) {
                row.append(fresh[p] ? console.bold(String.valueOf(canvas[p])) : String.valueOf(canvas[p]));
            }
            rows.add(row.toString());
        }
        return rows;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}

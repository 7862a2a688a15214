package dev.lmlab.inference.openai;

import dev.lmlab.core.generate.Generation;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.engine.Failures;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.inference.text.Prompts;
import dev.lmlab.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's {@code /v1/completions} and {@code /v1/chat/completions}, so OpenAI clients work unchanged. Beyond
 * OpenAI's fields a request may carry {@code top_k}, {@code repetition_penalty} and {@code interventions}
 * (lm-core's steering spec). Masked-diffusion models answer too, by diffusion decoding ({@code steps}, {@code
 * block_length}... as in {@code /v1/diffusion/generate}); they stream their whole text as one chunk at the end.
 */
@RestController
class CompletionsController {

    private final LoadedModels models;
    private final TextGeneration generation;
    private final JsonMapper json;

    CompletionsController(LoadedModels models, TextGeneration generation, JsonMapper json) {
        this.models = models;
        this.generation = generation;
        this.json = json;
    }

    private enum Api {
        COMPLETIONS("text_completion", "cmpl-"),
        CHAT("chat.completion", "chatcmpl-");

        final String object;
        final String idPrefix;

        Api(String object, String idPrefix) {
            this.object = object;
            this.idPrefix = idPrefix;
        }
    }

    @PostMapping(value = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<StreamingResponseBody>> completions(@RequestBody JsonNode body) {
        String modelId = Fields.required(body, "model");
        ModelWorker worker = models.worker(modelId);
        LanguageModel model = worker.model();
        List<long[]> prompts = completionPrompts(model, body.get("prompt"));
        int top = Fields.integer(body, "logprobs", 0, 0, 20);
        boolean wantLogprobs = Fields.has(body, "logprobs");
        return respond(Api.COMPLETIONS, modelId, worker, prompts, body, 16, wantLogprobs ? Math.max(1, top) : 0, top);
    }

    @PostMapping(value = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<StreamingResponseBody>> chat(@RequestBody JsonNode body) {
        String modelId = Fields.required(body, "model");
        ModelWorker worker = models.worker(modelId);
        long[] prompt = Prompts.chat(worker.model(), body.get("messages"), "messages");
        boolean wantLogprobs = Fields.bool(body, "logprobs", false);
        int top = Fields.integer(body, "top_logprobs", 0, 0, 20);
        if (top > 0 && !wantLogprobs) {
            throw Fields.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        return respond(Api.CHAT, modelId, worker, List.of(prompt), body, 512, wantLogprobs ? Math.max(1, top) : 0, top);
    }

    /** OpenAI's prompt forms: a string, a list of strings, a list of ids, a list of lists of ids. */
    private static List<long[]> completionPrompts(LanguageModel model, JsonNode prompt) {
        if (prompt != null
                && prompt.isArray()
                && !prompt.isEmpty()
                && !prompt.get(0).isIntegralNumber()) {
            List<long[]> out = new ArrayList<>();
            for (int i = 0; i < prompt.size(); i++) {
                out.add(Prompts.encode(model, prompt.get(i), "prompt[" + i + "]"));
            }
            return out;
        }
        return List.of(Prompts.encode(model, prompt, "prompt"));
    }

    /**
     * Both answers travel as a {@link StreamingResponseBody} (Spring picks the return handler by the declared
     * type): the whole JSON once generation is done, or the event stream at once.
     */
    private CompletableFuture<ResponseEntity<StreamingResponseBody>> respond(
            Api api,
            String modelId,
            ModelWorker worker,
            List<long[]> prompts,
            JsonNode body,
            int defaultMaxTokens,
            int collectLogprobs,
            int topLogprobs) {
        String id = api.idPrefix + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        if (!Fields.bool(body, "stream", false)) {
            TextGeneration.Submitted s =
                    generation.submit(worker, prompts, body, defaultMaxTokens, collectLogprobs, (c, d) -> {});
            return s.all().handle((v, e) -> {
                if (e != null) {
                    throw Failures.problem(e);
                }
                byte[] json = write(complete(
                                api, id, created, modelId, worker.model(), s, topLogprobs, collectLogprobs > 0))
                        .getBytes(StandardCharsets.UTF_8);
                StreamingResponseBody bytes = out -> out.write(json);
                return ResponseEntity.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(bytes);
            });
        }
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        EventStream[] stream = new EventStream[1];
        TextGeneration.Submitted[] submitted = new TextGeneration.Submitted[1];
        stream[0] = new EventStream(() -> {
            if (submitted[0] != null) {
                submitted[0].cancel();
            }
        });
        TextGeneration.Submitted s = generation.submit(
                worker,
                prompts,
                body,
                defaultMaxTokens,
                0,
                (choice, delta) -> stream[0].send(chunk(api, id, created, modelId, choice, delta, null)));
        submitted[0] = s;
        int n = s.n();
        if (api == Api.CHAT) {
            for (int c = 0; c < prompts.size() * n; c++) {
                stream[0].send(roleChunk(id, created, modelId, c));
            }
        }
        s.all().whenComplete((v, e) -> {
            if (e != null) {
                if (!(Failures.unwrap(e) instanceof CancellationException)) {
                    ApiException problem = Failures.problem(e);
                    stream[0].send(
                            write(Map.of("error", Map.of("message", problem.getMessage(), "type", problem.slug()))));
                }
            } else {
                // finish reasons only once every choice is done: completion callbacks run in no fixed order
                for (int p = 0; p < s.tickets().size(); p++) {
                    List<TextGeneration.Output> outs =
                            s.tickets().get(p).result().join();
                    for (int i = 0; i < outs.size(); i++) {
                        stream[0].send(chunk(
                                api,
                                id,
                                created,
                                modelId,
                                p * n + i,
                                null,
                                outs.get(i).finishReason()));
                    }
                }
            }
            if (e == null && usage) {
                Map<String, Object> last = header(api, id, created, modelId, true);
                last.put("choices", List.of());
                last.put("usage", usage(s));
                stream[0].send(write(last));
            }
            stream[0].done();
        });
        StreamingResponseBody events = stream[0];
        return CompletableFuture.completedFuture(ResponseEntity.ok()
                .contentType(new MediaType("text", "event-stream", StandardCharsets.UTF_8))
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .body(events));
    }

    private Map<String, Object> complete(
            Api api,
            String id,
            long created,
            String modelId,
            LanguageModel model,
            TextGeneration.Submitted s,
            int topLogprobs,
            boolean logprobs) {
        Map<String, Object> out = header(api, id, created, modelId, false);
        List<Map<String, Object>> choices = new ArrayList<>();
        int index = 0;
        for (var ticket : s.tickets()) {
            for (TextGeneration.Output o : ticket.result().join()) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("index", index++);
                if (api == Api.CHAT) {
                    Map<String, Object> message = new LinkedHashMap<>();
                    message.put("role", "assistant");
                    message.put("content", o.text());
                    message.put("refusal", null);
                    c.put("message", message);
                    c.put("logprobs", logprobs ? chatLogprobs(o, topLogprobs) : null);
                } else {
                    c.put("text", o.text());
                    c.put("logprobs", logprobs ? completionLogprobs(o, topLogprobs) : null);
                }
                c.put("finish_reason", o.finishReason());
                choices.add(c);
            }
        }
        out.put("choices", choices);
        out.put("usage", usage(s));
        return out;
    }

    private static Map<String, Object> usage(TextGeneration.Submitted s) {
        long completion = 0;
        for (var t : s.tickets()) {
            for (TextGeneration.Output o : t.result().join()) {
                completion += o.tokenIds().length;
            }
        }
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", s.promptTokens() / Math.max(1, s.n()));
        u.put("completion_tokens", completion);
        u.put("total_tokens", s.promptTokens() / Math.max(1, s.n()) + completion);
        return u;
    }

    private static Map<String, Object> chatLogprobs(TextGeneration.Output o, int top) {
        List<Map<String, Object>> content = new ArrayList<>();
        for (Generation.TokenLogprob t : o.logprobs()) {
            Map<String, Object> entry = tokenEntry(t.text(), t.logprob());
            List<Map<String, Object>> alternatives = new ArrayList<>();
            for (Generation.Alternative a :
                    t.top().subList(0, Math.min(top, t.top().size()))) {
                alternatives.add(tokenEntry(a.text(), a.logprob()));
            }
            entry.put("top_logprobs", alternatives);
            content.add(entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("content", content);
        out.put("refusal", null);
        return out;
    }

    private static Map<String, Object> tokenEntry(String text, double logprob) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", text);
        m.put("logprob", logprob);
        List<Integer> bytes = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        m.put("bytes", bytes);
        return m;
    }

    private static Map<String, Object> completionLogprobs(TextGeneration.Output o, int top) {
        List<String> tokens = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = 0;
        for (Generation.TokenLogprob t : o.logprobs()) {
            tokens.add(t.text());
            logprobs.add(t.logprob());
            Map<String, Double> alternatives = new LinkedHashMap<>();
            for (Generation.Alternative a :
                    t.top().subList(0, Math.min(top, t.top().size()))) {
                alternatives.putIfAbsent(a.text(), a.logprob());
            }
            tops.add(alternatives);
            offsets.add(offset);
            offset += t.text().length();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", tokens);
        out.put("token_logprobs", logprobs);
        out.put("top_logprobs", tops);
        out.put("text_offset", offsets);
        return out;
    }

    private static Map<String, Object> header(Api api, String id, long created, String model, boolean chunk) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("object", api == Api.CHAT && chunk ? "chat.completion.chunk" : api.object);
        out.put("created", created);
        out.put("model", model);
        out.put("system_fingerprint", "lmlab");
        return out;
    }

    private String roleChunk(String id, long created, String model, int choice) {
        Map<String, Object> out = header(Api.CHAT, id, created, model, true);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("index", choice);
        c.put("delta", Map.of("role", "assistant", "content", ""));
        c.put("logprobs", null);
        c.put("finish_reason", null);
        out.put("choices", List.of(c));
        return write(out);
    }

    private String chunk(Api api, String id, long created, String model, int choice, String delta, String finish) {
        Map<String, Object> out = header(api, id, created, model, true);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("index", choice);
        if (api == Api.CHAT) {
            c.put("delta", delta == null ? Map.of() : Map.of("content", delta));
        } else {
            c.put("text", delta == null ? "" : delta);
        }
        c.put("logprobs", null);
        c.put("finish_reason", finish);
        out.put("choices", List.of(c));
        return write(out);
    }

    private String write(Object value) {
        return json.writeValueAsString(value);
    }
}

package dev.lmlab.inference.openai;

import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.DiffusionResult;
import dev.lmlab.core.generate.Generation;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import dev.lmlab.core.generate.StreamListener;
import dev.lmlab.core.hooks.InterventionRuntime;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.InferenceProperties;
import dev.lmlab.inference.diffusion.DiffusionSettings;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.engine.Ticket;
import dev.lmlab.inference.steering.Steering;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.platform.web.ApiException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * What the completions endpoints share: sampling parameters read and checked from an OpenAI-style body, and
 * the dispatch of each prompt to the model's worker (continuous batching when plain, alone with interventions,
 * diffusion decoding for masked-diffusion models).
 */
@Component
class TextGeneration {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final InferenceProperties properties;
    private final Steering steering;

    TextGeneration(InferenceProperties properties, Steering steering) {
        this.properties = properties;
        this.steering = steering;
    }

    /** One choice's result, whichever decoder produced it. */
    record Output(String text, long[] tokenIds, String finishReason, List<Generation.TokenLogprob> logprobs) {}

    /** The prompts' tickets (one per prompt, each with n outputs) and the total prompt length. */
    record Submitted(List<Ticket<List<Output>>> tickets, int n, int promptTokens) {

        void cancel() {
            tickets.forEach(Ticket::cancel);
        }

        CompletableFuture<Void> all() {
            return CompletableFuture.allOf(tickets.stream().map(Ticket::result).toArray(CompletableFuture[]::new));
        }
    }

    /**
     * Validates the body against the model and queues every prompt.
     *
     * @param listener receives (choice index, text delta) as text is generated
     */
    Submitted submit(
            ModelWorker worker,
            List<long[]> prompts,
            JsonNode body,
            int defaultMaxTokens,
            int topLogprobs,
            StreamListener listener) {
        LanguageModel model = worker.model();
        int context = model.config().maxPositions();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        Integer asked = Fields.integer(
                body,
                "max_completion_tokens",
                Fields.integer(body, "max_tokens", null, 1, properties.maxNewTokens()),
                1,
                properties.maxNewTokens());
        int maxTokens = asked != null ? asked : Math.max(1, Math.min(defaultMaxTokens, context - longest));
        if (longest + maxTokens > context) {
            throw ApiException.badRequest(
                            "context-length-exceeded",
                            "the prompt (" + longest + " tokens) plus max_tokens (" + maxTokens + ") exceed the"
                                    + " model's context of " + context + " tokens")
                    .with("field", "max_tokens")
                    .with("context_length", context);
        }
        int n = Fields.integer(body, "n", 1, 1, properties.maxChoices());
        long seed = Fields.longValue(body, "seed", SEEDS.nextLong() >>> 16);
        List<String> stop = Fields.strings(body, "stop", 4);
        JsonNode interventions = body.get("interventions");
        InterventionRuntime runtime = Steering.present(interventions) ? steering.runtime(model, interventions) : null;
        try {
            List<Ticket<List<Output>>> tickets = new ArrayList<>();
            for (int p = 0; p < prompts.size(); p++) {
                int base = p * n;
                StreamListener rows = (row, delta) -> listener.onText(base + row, delta);
                long[] prompt = prompts.get(p);
                if (model.config().maskedDiffusion()) {
                    DiffusionParams params = DiffusionSettings.from(model, body, maxTokens, seed, false);
                    tickets.add(diffusion(worker, prompt, params, n, stop, rows, runtime));
                } else {
                    SamplingParams params = new SamplingParams(
                            maxTokens,
                            Fields.number(body, "temperature", 1.0, 0, 2),
                            Fields.integer(body, "top_k", 0, 0, 1 << 20),
                            Fields.number(body, "top_p", 1.0, 1e-9, 1),
                            Fields.number(body, "repetition_penalty", 1.0, 1e-3, 100),
                            stop,
                            Set.of(),
                            seed,
                            topLogprobs);
                    tickets.add(autoregressive(worker, prompt, params, n, rows, runtime));
                }
            }
            Submitted submitted = new Submitted(
                    tickets, n, prompts.stream().mapToInt(x -> x.length).sum() * n);
            if (runtime != null) {
                submitted.all().whenComplete((r, e) -> runtime.close());
            }
            return submitted;
        } catch (RuntimeException e) {
            if (runtime != null) {
                runtime.close();
            }
            throw e;
        }
    }

    private static Ticket<List<Output>> autoregressive(
            ModelWorker worker,
            long[] prompt,
            SamplingParams params,
            int n,
            StreamListener listener,
            InterventionRuntime runtime) {
        if (runtime == null) {
            Ticket<List<Generation>> t = worker.generate(prompt, params, n, listener);
            return t.map(gs -> gs.stream().map(TextGeneration::output).toList());
        }
        return worker.run(model -> new Generator(model)
                .generate(copies(prompt, n), params, runtime, listener).stream()
                        .map(TextGeneration::output)
                        .toList());
    }

    private static Ticket<List<Output>> diffusion(
            ModelWorker worker,
            long[] prompt,
            DiffusionParams params,
            int n,
            List<String> stop,
            StreamListener listener,
            InterventionRuntime runtime) {
        if (runtime == null && n == 1) {
            Ticket<DiffusionResult> t = worker.diffuse(prompt, params);
            return t.map(r -> {
                Output o = output(worker.model(), r, stop);
                listener.onText(0, o.text());
                return List.of(o);
            });
        }
        return worker.run(model -> {
            List<Output> out = new ArrayList<>();
            List<DiffusionResult> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                DiffusionParams sample = withSeed(params, params.seed() + i);
                results.add(new DiffusionDecoder(model)
                        .generate(List.of(prompt), sample, runtime == null ? dev.lmlab.core.model.Hooks.NONE : runtime)
                        .get(0));
            }
            for (int i = 0; i < n; i++) {
                Output o = output(model, results.get(i), stop);
                listener.onText(i, o.text());
                out.add(o);
            }
            return out;
        });
    }

    private static DiffusionParams withSeed(DiffusionParams p, long seed) {
        return new DiffusionParams(
                p.genLength(),
                p.steps(),
                p.blockLength(),
                p.remasking(),
                p.temperature(),
                p.cfgScale(),
                p.threshold(),
                p.useCache(),
                p.returnTrajectory(),
                seed);
    }

    private static List<long[]> copies(long[] prompt, int n) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prompt);
        }
        return out;
    }

    private static Output output(Generation g) {
        return new Output(g.text(), g.tokenIds(), g.finishReason(), g.logprobs());
    }

    /** A diffusion response as a completion: cut at the first eos, then at the first stop string. */
    static Output output(LanguageModel model, DiffusionResult r, List<String> stop) {
        Set<Long> eos = model.tokenizer().specials().eosIds();
        long[] ids = r.outputIds();
        int end = 0;
        while (end < ids.length && !eos.contains(ids[end])) {
            end++;
        }
        String finish = end < ids.length ? "stop" : "length";
        long[] kept = Arrays.copyOf(ids, end);
        String text = model.tokenizer().decode(kept, true);
        for (String s : stop) {
            int at = s.isEmpty() ? -1 : text.indexOf(s);
            if (at >= 0) {
                text = text.substring(0, at);
                finish = "stop";
            }
        }
        return new Output(text, kept, finish, List.of());
    }
}

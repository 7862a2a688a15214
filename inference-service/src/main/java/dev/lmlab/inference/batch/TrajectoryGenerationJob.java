package dev.lmlab.inference.batch;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.DiffusionResult;
import dev.lmlab.core.generate.TrajectoryStep;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.diffusion.DiffusionSettings;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.engine.Ticket;
import dev.lmlab.inference.files.DataRoots;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.models.ModelCatalog;
import dev.lmlab.inference.text.Prompts;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Self-distilled trajectories for TABOM: for each prompt of a JSONL file, the masked-diffusion model's own
 * decoding order over a response. A line with a {@code response} is decoded guided by it (each step unmasks the
 * positions where the model is most confident in the reference token); a line without one is decoded freely.
 * The output is a JSONL dataset artifact: prompt, response, response_token_ids, decoding_order, per-step
 * confidences, source.
 */
@Component
class TrajectoryGenerationJob implements JobHandler<TrajectoryGenerationJob.Params> {

    private final ModelCatalog catalog;
    private final LoadedModels models;
    private final DataRoots roots;
    private final JsonMapper json;

    TrajectoryGenerationJob(ModelCatalog catalog, LoadedModels models, DataRoots roots, JsonMapper json) {
        this.catalog = catalog;
        this.models = models;
        this.roots = roots;
        this.json = json;
    }

    /**
     * @param model a registered masked-diffusion model
     * @param input JSONL under the artifacts root; per line {@code prompt} or {@code messages}, optional {@code
     *     response} (guided) and {@code id}
     * @param genLength response length for free decoding
     * @param steps denoising steps (free decoding: over gen_length; guided: over the response)
     * @param blockLength semi-autoregressive block size (0: one block)
     * @param chat render a plain {@code prompt} with the chat template as a user turn
     * @param batch prompts in flight at once (free decoding batches them in one diffusion pass)
     */
    record Params(
            @NotBlank String model,
            @NotBlank String input,
            @Min(1) @Max(4096) Integer genLength,
            @Min(1) @Max(65536) Integer steps,
            @Min(0) @Max(4096) Integer blockLength,
            String remasking,
            Double temperature,
            Double threshold,
            Long seed,
            Boolean chat,
            @Min(1) @Max(64) Integer batch) {

        Params {
            genLength = genLength == null ? 64 : genLength;
            blockLength = blockLength == null ? 0 : blockLength;
            chat = chat == null || chat;
            batch = batch == null ? 8 : batch;
            seed = seed == null ? 0L : seed;
        }
    }

    /** What a checkpoint holds: how much of the output file is final. */
    record State(long bytes) {}

    @Override
    public String kind() {
        return "trajectory-generation";
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Masked-diffusion decoding orders (free or guided by a reference) over a JSONL of prompts → a"
                + " trajectory dataset (TABOM)";
    }

    @Override
    public Params defaultParams() {
        return new Params("", "", null, null, null, null, null, null, null, null, null);
    }

    @Override
    public String defaultName(Params p) {
        return "trajectories " + p.model() + " " + Path.of(p.input()).getFileName();
    }

    @Override
    public void check(Params p) {
        ModelConfig config =
                ModelConfig.read(catalog.folder(catalog.get(p.model())).resolve("config.json"));
        if (!config.maskedDiffusion()) {
            throw ApiException.badRequest(
                            "not-a-diffusion-model",
                            "'" + p.model() + "' is causal; trajectories need a masked-diffusion model")
                    .with("field", "model");
        }
        roots.artifact(p.input());
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        List<JsonNode> records = Jsonl.read(roots.artifact(p.input()), json);
        ModelWorker worker = models.worker(p.model());
        LanguageModel model = worker.model();
        Path out = roots.newArtifact("runs/" + context.runId() + "/trajectories.jsonl");
        long bytes = context.checkpointState(State.class).map(State::bytes).orElse(0L);
        JobOutput.truncate(out, bytes);
        int start = (int) context.resumeStep();
        if (context.resumed()) {
            context.message("resuming at record " + start + " of " + records.size());
        }
        int guided = 0;
        for (int from = start; from < records.size(); from += p.batch()) {
            int to = Math.min(records.size(), from + p.batch());
            List<Ticket<DiffusionResult>> tickets = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            for (int i = from; i < to; i++) {
                JsonNode record = records.get(i);
                String where = p.input() + " record " + (i + 1);
                long[] prompt = prompt(model, record, p.chat(), where);
                if (record.hasNonNull("response")) {
                    long[] reference = Prompts.check(
                            model,
                            model.tokenizer().encode(record.get("response").asString()),
                            where);
                    int steps = p.steps() == null ? reference.length : p.steps();
                    int block = p.blockLength() == 0 ? reference.length : p.blockLength();
                    tickets.add(Backoff.submit(
                            context,
                            () -> worker.run(m -> new DiffusionDecoder(m).guided(prompt, reference, steps, block))));
                    sources.add("guided");
                    guided++;
                } else {
                    DiffusionParams params = DiffusionSettings.from(model, settings(p), p.genLength(), p.seed(), true);
                    tickets.add(Backoff.submit(context, () -> worker.diffuse(prompt, params)));
                    sources.add("free");
                }
            }
            List<String> lines = new ArrayList<>();
            double confidence = 0;
            for (int k = 0; k < tickets.size(); k++) {
                DiffusionResult r = Backoff.await(tickets.get(k));
                lines.add(json.writeValueAsString(line(model, records.get(from + k), from + k, r, sources.get(k), p)));
                confidence += meanConfidence(r);
            }
            bytes = JobOutput.append(out, lines);
            context.metric("trajectory.mean_confidence", to, confidence / tickets.size());
            context.checkpoint(to, new State(bytes));
            context.progress(to, records.size());
        }
        context.artifact(JobOutput.artifact("trajectories.jsonl", out, "application/jsonl"));
        context.metric("trajectory.records", records.size(), records.size());
        context.message(records.size() + " trajectories written (" + guided + " guided this attempt)");
    }

    private ObjectNode settings(Params p) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        if (p.steps() != null) {
            s.put("steps", p.steps());
        }
        if (p.blockLength() != 0) {
            s.put("block_length", p.blockLength());
        }
        if (p.remasking() != null) {
            s.put("remasking", p.remasking());
        }
        if (p.temperature() != null) {
            s.put("temperature", p.temperature());
        }
        if (p.threshold() != null) {
            s.put("threshold", p.threshold());
        }
        return s;
    }

    private static long[] prompt(LanguageModel model, JsonNode record, boolean chat, String where) {
        if (record.hasNonNull("messages")) {
            return Prompts.chat(model, record.get("messages"), where + " messages");
        }
        if (!record.hasNonNull("prompt")) {
            throw new IllegalArgumentException(where + " has neither 'prompt' nor 'messages'");
        }
        if (chat && model.tokenizer().chatTemplate().isPresent()) {
            JsonNode turn = JsonNodeFactory.instance
                    .arrayNode()
                    .add(JsonNodeFactory.instance
                            .objectNode()
                            .put("role", "user")
                            .put("content", record.get("prompt").asString()));
            return Prompts.chat(model, turn, where + " prompt");
        }
        return Prompts.encode(model, record.get("prompt"), where + " prompt");
    }

    private static Map<String, Object> line(
            LanguageModel model, JsonNode record, int index, DiffusionResult r, String source, Params p) {
        int promptLength = r.promptIds().length;
        int n = r.outputIds().length;
        float[] confidences = new float[n];
        List<Map<String, Object>> steps = new ArrayList<>();
        for (TrajectoryStep s : r.trajectory()) {
            int[] positions = new int[s.positions().length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = s.positions()[i] - promptLength;
                confidences[positions[i]] = s.confidences()[i];
            }
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step", s.step());
            step.put("positions", positions);
            step.put("confidences", s.confidences());
            steps.add(step);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", record.hasNonNull("id") ? record.get("id") : index);
        out.put("prompt", record.hasNonNull("prompt") ? record.get("prompt").asString() : record.get("messages"));
        out.put("prompt_token_ids", r.promptIds());
        out.put("response", model.tokenizer().decode(r.outputIds(), true));
        out.put("response_token_ids", r.outputIds());
        out.put("decoding_order", r.decodingOrder());
        out.put("confidences", confidences);
        out.put("steps", steps);
        out.put("source", source);
        out.put("model", p.model());
        return out;
    }

    private static double meanConfidence(DiffusionResult r) {
        double sum = 0;
        int n = 0;
        for (TrajectoryStep s : r.trajectory()) {
            for (float c : s.confidences()) {
                sum += c;
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}

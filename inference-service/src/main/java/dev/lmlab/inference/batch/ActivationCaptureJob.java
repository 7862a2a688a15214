package dev.lmlab.inference.batch;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.hooks.Intervention;
import dev.lmlab.core.model.HookPoints;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.activations.ActivationCapture;
import dev.lmlab.inference.activations.ActivationInputs;
import dev.lmlab.inference.activations.ActivationShards;
import dev.lmlab.inference.engine.ModelWorker;
import dev.lmlab.inference.files.DataRoots;
import dev.lmlab.inference.models.LoadedModels;
import dev.lmlab.inference.models.ModelCatalog;
import dev.lmlab.inference.steering.Steering;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Activations over a JSONL of inputs (the forms {@code /v1/activations} takes), written as safetensors shards of
 * {@code shard_size} inputs each plus a {@code metadata.json} listing them. A shard is published whole (written
 * aside, then moved into place) before the checkpoint that counts it, so a resumed job never leaves a torn one.
 */
@Component
class ActivationCaptureJob implements JobHandler<ActivationCaptureJob.Params> {

    private final ModelCatalog catalog;
    private final LoadedModels models;
    private final DataRoots roots;
    private final Steering steering;
    private final JsonMapper json;

    ActivationCaptureJob(
            ModelCatalog catalog, LoadedModels models, DataRoots roots, Steering steering, JsonMapper json) {
        this.catalog = catalog;
        this.models = models;
        this.roots = roots;
        this.steering = steering;
        this.json = json;
    }

    /**
     * @param input JSONL under the artifacts root, one input per line (a string, {text}, {prompt, response},
     *     {messages} or {input_ids, prompt_length})
     * @param positions all, last, mean, mean_prompt or mean_response
     * @param interventions steering applied while capturing (lm-core's spec)
     */
    record Params(
            @NotBlank String model,
            @NotBlank String input,
            @NotEmpty List<String> hooks,
            String positions,
            @Min(1) @Max(1_000_000) Integer shardSize,
            JsonNode interventions) {

        Params {
            positions = positions == null ? "last" : positions;
            shardSize = shardSize == null ? 1024 : shardSize;
        }
    }

    /** The shards written so far. */
    record State(List<Map<String, Object>> shards) {}

    @Override
    public String kind() {
        return "activation-capture";
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Activations at hook points over a JSONL of inputs → safetensors shards + metadata";
    }

    @Override
    public Params defaultParams() {
        return new Params("", "", List.of(HookPoints.residPost(0)), null, null, null);
    }

    @Override
    public String defaultName(Params p) {
        return "activations " + p.model() + " " + Path.of(p.input()).getFileName();
    }

    @Override
    public void check(Params p) {
        ModelConfig config =
                ModelConfig.read(catalog.folder(catalog.get(p.model())).resolve("config.json"));
        for (String hook : p.hooks()) {
            if (!HookPoints.valid(hook, config.numLayers())) {
                throw ApiException.badRequest("unknown-hook", "unknown hook point '" + hook + "'")
                        .with("field", "hooks")
                        .with("hooks", HookPoints.all(config.numLayers()));
            }
        }
        try {
            ActivationCapture.Reduce.parse(p.positions());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                            "invalid-params", "positions is all, last, mean, mean_prompt or mean_response")
                    .with("field", "positions");
        }
        if (Steering.present(p.interventions())) {
            steering.parse(p.interventions());
        }
        roots.artifact(p.input());
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        List<JsonNode> records = Jsonl.read(roots.artifact(p.input()), json);
        ModelWorker worker = models.worker(p.model());
        LanguageModel model = worker.model();
        ActivationCapture.Reduce reduce = ActivationCapture.Reduce.parse(p.positions());
        List<Intervention> steer = Steering.present(p.interventions()) ? steering.parse(p.interventions()) : List.of();
        String folder = "runs/" + context.runId() + "/activations/";
        List<Map<String, Object>> shards = new ArrayList<>(
                context.checkpointState(State.class).map(State::shards).orElse(List.of()));
        int start = (int) context.resumeStep();
        for (int from = start; from < records.size(); from += p.shardSize()) {
            int to = Math.min(records.size(), from + p.shardSize());
            List<ActivationCapture.Input> inputs = new ArrayList<>();
            for (int i = from; i < to; i++) {
                inputs.add(ActivationInputs.parse(model, records.get(i), p.input() + " record " + (i + 1)));
            }
            List<ActivationShards.Row> rows = new ArrayList<>();
            // one input per task, so online requests interleave with a long capture
            for (ActivationCapture.Input in : inputs) {
                if (in.ids().length > model.config().maxPositions()) {
                    throw new IllegalArgumentException("an input of " + in.ids().length + " tokens exceeds the"
                            + " model's context of " + model.config().maxPositions());
                }
                ActivationCapture.Captured c = Backoff.await(Backoff.submit(
                        context,
                        () -> worker.run(
                                m -> ActivationCapture.run(m, in, p.hooks(), reduce, steer, steering.saes(m)))));
                rows.add(new ActivationShards.Row(in, c));
                context.checkCancelled();
            }
            String name = String.format("shard-%05d.safetensors", shards.size());
            Path target = roots.newArtifact(folder + name);
            Path tmp = target.resolveSibling(name + ".partial");
            ActivationShards.writer(json, p.model(), model, p.hooks(), reduce, rows)
                    .write(tmp);
            JobOutput.publish(tmp, target);
            context.artifact(JobOutput.artifact("activations/" + name, target, "application/x-safetensors"));
            Map<String, Object> shard = new LinkedHashMap<>();
            shard.put("file", name);
            shard.put("first_record", from);
            shard.put("records", to - from);
            shards.add(shard);
            context.checkpoint(to, new State(shards));
            context.progress(to, records.size());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", p.model());
        meta.put("architecture", model.config().architecture());
        meta.put("hooks", p.hooks());
        meta.put("positions", reduce.name().toLowerCase());
        meta.put("d_model", model.config().hiddenSize());
        meta.put("records", records.size());
        meta.put("steered", !steer.isEmpty());
        meta.put("shards", shards);
        Path metadata = roots.newArtifact(folder + "metadata.json");
        Files.writeString(metadata, json.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        context.artifact(JobOutput.artifact("activations/metadata.json", metadata, "application/json"));
        context.message(records.size() + " inputs captured into " + shards.size() + " shards");
    }
}

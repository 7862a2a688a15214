package dev.lmlab.interp.sets;

import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.TensorInfo;
import dev.lmlab.interp.InterpProperties;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captures an activation set: the labelled inputs go to the inference service's {@code /v1/activations} in batches,
 * each answer (a safetensors file: {@code <hook>} (N, D) per hook when pooled) checked and published whole as one
 * shard, then checkpointed. A revived capture continues with the next shard; labels and metadata sit beside the
 * shards in {@code activation-sets/<id>/}.
 */
@Component
class ActivationSetJob implements JobHandler<ActivationSetJob.Params> {

    static final String KIND = "activation-set";
    static final Set<String> POOLINGS = Set.of("last", "mean", "mean_prompt", "mean_response", "all");
    private static final Logger log = LoggerFactory.getLogger(ActivationSetJob.class);

    private final InferencePeer inference;
    private final InputSets inputs;
    private final ActivationSetStore sets;
    private final DataRoot artifacts;
    private final RunRegistry registry;
    private final InterpProperties properties;
    private final JsonMapper json;

    ActivationSetJob(
            InferencePeer inference,
            InputSets inputs,
            ActivationSetStore sets,
            DataRoot artifacts,
            RunRegistry registry,
            InterpProperties properties,
            JsonMapper json) {
        this.inference = inference;
        this.inputs = inputs;
        this.sets = sets;
        this.artifacts = artifacts;
        this.registry = registry;
        this.properties = properties;
        this.json = json;
    }

    /**
     * @param input a JSONL file under the artifacts root, or {@code shipped:<name>}
     * @param hooks TransformerLens hook names, e.g. {@code blocks.1.hook_resid_post}
     * @param pooling {@code mean} (default), {@code last}, {@code mean_prompt}, {@code mean_response} or {@code all}
     * @param batchSize inputs per call and per shard
     */
    record Params(
            @NotBlank String model,
            @NotBlank String input,
            @NotNull @Size(min = 1, max = 64) List<@NotBlank String> hooks,
            String pooling,
            @Min(1) @Max(1024) Integer batchSize) {

        Params {
            pooling = pooling == null ? "mean" : pooling;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Captures a labelled input set's activations at some hooks into safetensors shards";
    }

    @Override
    public Params defaultParams() {
        return new Params("", "shipped:role-granularity", List.of("blocks.0.hook_resid_post"), "mean", null);
    }

    @Override
    public String defaultName(Params p) {
        return p.input().replace("shipped:", "") + " on " + p.model();
    }

    @Override
    public void check(Params p) {
        if (!POOLINGS.contains(p.pooling())) {
            throw ApiException.badRequest("invalid-params", "pooling is one of " + POOLINGS)
                    .with("field", "pooling");
        }
        InferencePeer.requireHooks(inference.model(p.model()), p.hooks(), "hooks");
        List<LabelledInput> rows = inputs.read(p.input());
        if (p.pooling().equals("mean_prompt") || p.pooling().equals("mean_response")) {
            for (LabelledInput row : rows) {
                if (!row.input().has("prompt") && !row.input().has("messages")) {
                    throw ApiException.badRequest(
                                    "invalid-params",
                                    "pooling " + p.pooling() + " needs a prompt and a response in every row; row '"
                                            + row.id() + "' has neither prompt nor messages")
                            .with("field", "pooling");
                }
            }
        }
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        List<LabelledInput> rows = inputs.read(p.input());
        String folder = "activation-sets/" + context.runId();
        Optional<Run> run = registry.find(context.runId());
        sets.begin(new ActivationSet(
                context.runId(),
                run.map(Run::name).orElse(defaultName(p)),
                p.model(),
                p.hooks(),
                p.pooling(),
                rows.size(),
                LabelledInputs.counts(rows),
                folder,
                ActivationSet.CAPTURING,
                Map.of(),
                run.map(Run::createdBy).orElse(null),
                null,
                null));
        capture(context, p, rows, folder);
    }

    private void capture(JobContext context, Params p, List<LabelledInput> rows, String folder) throws IOException {
        Path labels = artifacts.newPath(folder + "/labels.jsonl");
        if (!Files.exists(labels)) {
            List<String> lines = new ArrayList<>();
            for (LabelledInput row : rows) {
                lines.add(json.writeValueAsString(LabelledInputs.describe(row)));
            }
            JobOutput.writeWhole(labels, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        int batch = p.batchSize() != null ? p.batchSize() : properties.captureBatch();
        int shards = (rows.size() + batch - 1) / batch;
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (int s = 0; s < shards; s++) {
            Path shard = artifacts.newPath(folder + String.format("/shard-%05d.safetensors", s));
            int from = s * batch;
            int to = Math.min(rows.size(), from + batch);
            if (s < context.resumeStep() && Files.exists(shard)) {
                widths.putAll(check(shard, p, to - from));
                continue;
            }
            context.checkCancelled();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("model", p.model());
            request.put(
                    "inputs",
                    rows.subList(from, to).stream().map(LabelledInput::input).toList());
            request.put("hooks", p.hooks());
            request.put("positions", p.pooling());
            Path tmp = shard.resolveSibling(shard.getFileName() + ".tmp");
            inference.activations(request, tmp);
            Map<String, Integer> w = check(tmp, p, to - from);
            for (Map.Entry<String, Integer> e : w.entrySet()) {
                Integer before = widths.putIfAbsent(e.getKey(), e.getValue());
                if (before != null && !before.equals(e.getValue())) {
                    throw new IllegalStateException("hook " + e.getKey() + " changed width between shards");
                }
            }
            JobOutput.publish(tmp, shard);
            context.metric("rows_captured", s, to);
            context.checkpoint(s + 1, Map.of("shards", s + 1));
            context.progress(s + 1, shards);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("set", context.runId().toString());
        metadata.put("model", p.model());
        metadata.put("hooks", p.hooks());
        metadata.put("pooling", p.pooling());
        metadata.put("rows", rows.size());
        metadata.put("widths", widths);
        metadata.put("batch", batch);
        metadata.put("shards", shards);
        metadata.put("labels", LabelledInputs.counts(rows));
        Path meta = artifacts.newPath(folder + "/metadata.json");
        JobOutput.writeWhole(meta, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
        context.artifact(JobOutput.artifact("metadata.json", meta, "application/json"));
        context.artifact(JobOutput.artifact("labels.jsonl", labels, "application/jsonl"));
        sets.ready(context.runId(), widths);
        log.info(
                "Activation set {} ready: {} rows × {} hooks of {} ({} pooling)",
                context.runId(),
                rows.size(),
                p.hooks().size(),
                p.model(),
                p.pooling());
        context.message(rows.size() + " rows captured at " + p.hooks().size() + " hooks in " + shards + " shards");
    }

    /** The hook widths of a shard, after checking that it holds what was asked for. */
    private static Map<String, Integer> check(Path shard, Params p, int rows) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(shard)) {
            for (String hook : p.hooks()) {
                if (p.pooling().equals("all")) {
                    TensorInfo first = f.require(hook + "/0");
                    widths.put(hook, (int) first.shape()[1]);
                    for (int i = 0; i < rows; i++) {
                        f.require(hook + "/" + i);
                    }
                } else {
                    TensorInfo t = f.require(hook);
                    if (t.shape().length != 2 || t.shape()[0] != rows) {
                        throw new IllegalStateException("the inference service answered " + hook + " with shape "
                                + java.util.Arrays.toString(t.shape()) + " for " + rows + " inputs");
                    }
                    widths.put(hook, (int) t.shape()[1]);
                }
            }
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("shard " + shard.getFileName() + " is unreadable: " + e.getMessage(), e);
        }
        return widths;
    }
}

package dev.lmlab.interp.sae;

import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.vectors.StoredVector;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.plot.LineChart;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * SAEs at several layers in one run, one after another (checkpoints continue across them), each evaluated on its
 * held-out shards and, with {@code texts}, spliced into the model: the table of FVU, L0, dead fraction, delta loss and
 * CE-loss score by layer that the DLM-vs-causal comparison needs (does splicing early layers cost a diffusion model
 * less?). Written as {@code report.json}, {@code report.md} and {@code sweep.png}.
 */
@Component
class SaeSweepJob implements JobHandler<SaeSweepJob.Params> {

    static final String KIND = "sae-sweep";

    private final SaeTrainingJob training;
    private final InferencePeer inference;
    private final DataRoot artifacts;
    private final JsonMapper json;

    SaeSweepJob(SaeTrainingJob training, InferencePeer inference, DataRoot artifacts, JsonMapper json) {
        this.training = training;
        this.inference = inference;
        this.artifacts = artifacts;
        this.json = json;
    }

    /** @param namePrefix each SAE is named {@code <prefix>_<hook with dots as underscores>} */
    record Params(
            @NotBlank String set,
            @NotNull @Size(min = 1, max = 64) List<@NotBlank String> hooks,
            @NotBlank String namePrefix,
            @Min(2) @Max(1 << 20) Integer dSae,
            @Min(1) @Max(256) Integer expansion,
            @NotNull @Min(1) Integer k,
            @DecimalMin("0") @DecimalMax("1") Double learningRate,
            @Min(1) @Max(1 << 16) Integer batchSize,
            @NotNull @Min(1) @Max(10_000_000) Integer steps,
            Long seed,
            @DecimalMin("0") @DecimalMax("0.5") Double heldOutFraction,
            @Min(1) @Max(1_000_000) Integer checkpointEvery,
            @Size(max = 64) List<@NotBlank String> texts) {

        Params {
            texts = texts == null ? List.of() : texts;
        }

        SaeTrainingJob.Params at(String hook) {
            return new SaeTrainingJob.Params(
                    set,
                    null,
                    null,
                    null,
                    hook,
                    namePrefix + "_" + hook.replace('.', '_'),
                    dSae,
                    expansion,
                    k,
                    null,
                    null,
                    null,
                    learningRate,
                    batchSize,
                    steps,
                    null,
                    seed,
                    heldOutFraction,
                    checkpointEvery,
                    null);
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
        return "Trains and evaluates an SAE at each of several hooks; the per-layer table of FVU and delta loss";
    }

    @Override
    public Params defaultParams() {
        return new Params(
                "",
                List.of("blocks.0.hook_resid_post"),
                "sweep",
                null,
                8,
                32,
                null,
                null,
                1000,
                null,
                null,
                null,
                null);
    }

    @Override
    public void check(Params p) {
        if (p.hooks().size() != p.hooks().stream().distinct().count()) {
            throw ApiException.badRequest("invalid-params", "hooks lists each hook once")
                    .with("field", "hooks");
        }
        for (String hook : p.hooks()) {
            training.check(p.at(hook));
        }
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        List<StoredSae> trained = new ArrayList<>();
        long total = (long) p.steps() * p.hooks().size();
        for (int i = 0; i < p.hooks().size(); i++) {
            SaeTrainingJob.Params at = p.at(p.hooks().get(i));
            trained.add(training.train(context, at, "saes/" + context.runId() + "/" + i, (long) i * p.steps(), total));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        InferencePeer.ModelInfo model = inference.model(trained.get(0).model());
        for (StoredSae sae : trained) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("hook", sae.hook());
            row.put("layer", StoredVector.layerOf(sae.hook()));
            row.put("sae", sae.id().toString());
            row.put(
                    "fvu",
                    sae.metrics().path("fvu").isNumber()
                            ? sae.metrics().get("fvu").asDouble()
                            : null);
            row.put(
                    "explained_variance",
                    sae.metrics().path("explained_variance").asDouble());
            row.put("l0", sae.metrics().path("l0").asDouble());
            row.put("dead_fraction", sae.metrics().path("dead_fraction").asDouble());
            if (!p.texts().isEmpty()) {
                context.checkCancelled();
                Map<String, Object> splice =
                        SpliceLoss.of(inference, model, sae.hook(), sae.folder(), p.texts(), model.maskTokenId(), 0);
                row.put("ce_clean", splice.get("ce_clean"));
                row.put("ce_sae", splice.get("ce_sae"));
                row.put("delta_loss", splice.get("delta_loss"));
                row.put("ce_loss_score", splice.get("ce_loss_score"));
                row.put("objective", splice.get("objective"));
            }
            rows.add(row);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run_id", context.runId().toString());
        report.put("model", model.id());
        report.put("kind", model.kind());
        report.put("set", p.set());
        report.put("layers", rows);
        String folder = "saes/" + context.runId();
        Path jsonFile = write(
                folder + "/report.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        Path md = write(folder + "/report.md", markdown(report, rows).getBytes());
        Path png = write(folder + "/sweep.png", plot(rows));
        context.artifact(JobOutput.artifact("report.json", jsonFile, "application/json"));
        context.artifact(JobOutput.artifact("report.md", md, "text/markdown"));
        context.artifact(JobOutput.artifact("sweep.png", png, "image/png"));
        context.message(trained.size() + " SAEs trained and evaluated; see report.md");
    }

    private static String markdown(Map<String, Object> report, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder("# SAE sweep on ")
                .append(report.get("model"))
                .append(" (")
                .append(report.get("kind"))
                .append(")\n\n| hook | FVU | explained variance | L0 | dead | CE clean | CE with SAE | delta loss |"
                        + " CE-loss score |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.get("hook"),
                    n(r.get("fvu")),
                    n(r.get("explained_variance")),
                    n(r.get("l0")),
                    n(r.get("dead_fraction")),
                    n(r.get("ce_clean")),
                    n(r.get("ce_sae")),
                    n(r.get("delta_loss")),
                    n(r.get("ce_loss_score"))));
        }
        return md.toString();
    }

    private static byte[] plot(List<Map<String, Object>> rows) {
        double[] x = new double[rows.size()];
        double[] fvu = new double[rows.size()];
        double[] delta = new double[rows.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            x[i] = i;
            fvu[i] = rows.get(i).get("fvu") instanceof Double d ? d : Double.NaN;
            delta[i] = rows.get(i).get("delta_loss") instanceof Double d ? d : Double.NaN;
            names.add(String.valueOf(rows.get(i).get("hook")).replace(".hook_", " "));
        }
        List<LineChart.Panel> panels = new ArrayList<>();
        panels.add(new LineChart.Panel(
                        "Held-out FVU by hook",
                        "hook",
                        "FVU",
                        List.of(new LineChart.Series("FVU", LineChart.color(0), false, x, fvu)),
                        false)
                .withCategories(names));
        if (java.util.Arrays.stream(delta).anyMatch(Double::isFinite)) {
            panels.add(new LineChart.Panel(
                            "Delta loss with the SAE spliced in",
                            "hook",
                            "CE_SAE − CE_clean",
                            List.of(new LineChart.Series("delta loss", LineChart.color(1), false, x, delta)),
                            false)
                    .withCategories(names)
                    .fittedToData());
        }
        return LineChart.png(panels);
    }

    private Path write(String relative, byte[] content) {
        return JobOutput.writeWhole(artifacts.newPath(relative), content);
    }

    private static String n(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v == null ? "–" : v.toString();
    }
}

package dev.lmlab.interp.sets;

import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.TensorInfo;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads a pooled activation set back: the labels of its rows and, per hook, one vector per row. */
@Component
public class ActivationMatrix {

    private final DataRoot artifacts;
    private final JsonMapper json;

    public ActivationMatrix(DataRoot artifacts, JsonMapper json) {
        this.artifacts = artifacts;
        this.json = json;
    }

    /** The labels of every row, in row order. */
    public List<Map<String, String>> labels(ActivationSet set) {
        List<Map<String, String>> labels = new ArrayList<>();
        for (JsonNode row : Jsonl.read(artifacts.existing(set.folder() + "/labels.jsonl"), json)) {
            Map<String, String> l = new TreeMap<>();
            row.path("labels")
                    .properties()
                    .forEach(e -> l.put(e.getKey(), e.getValue().asString()));
            labels.add(l);
        }
        return labels;
    }

    /** Row i's vector at {@code hook}, as doubles: what the analyses compute in. */
    public double[][] rows(ActivationSet set, String hook, String field) {
        requirePooled(set, field);
        requireFits(set, 1, field);
        if (!set.hooks().contains(hook)) {
            throw ApiException.badRequest(
                            "unknown-hook", field + ": the set was captured at " + set.hooks() + ", not at " + hook)
                    .with("field", field);
        }
        double[][] out = new double[set.rowCount()][];
        int row = 0;
        for (int s = 0; row < set.rowCount(); s++) {
            Path shard = artifacts.existing(set.folder() + String.format("/shard-%05d.safetensors", s));
            try (SafetensorsFile f = SafetensorsFile.open(shard)) {
                TensorInfo info = f.require(hook);
                int n = (int) info.shape()[0];
                int d = (int) info.shape()[1];
                float[] flat = f.readFloats(hook);
                for (int i = 0; i < n && row < out.length; i++, row++) {
                    double[] v = new double[d];
                    for (int j = 0; j < d; j++) {
                        v[j] = flat[i * d + j];
                    }
                    out[row] = v;
                }
            }
        }
        return out;
    }

    /**
     * Refuses to read more rows than half this process's heap holds as doubles: the analyses work in memory, and a set
     * too large for them is a clear 400 rather than an out-of-memory error that takes the service down.
     */
    public static void requireFits(ActivationSet set, int hooks, String field) {
        long width = set.widths().values().stream()
                .mapToLong(Integer::longValue)
                .max()
                .orElse(0);
        long bytes = (long) set.rowCount() * width * hooks * Double.BYTES;
        long budget = Runtime.getRuntime().maxMemory() / 2;
        if (bytes > budget) {
            throw ApiException.badRequest(
                            "set-too-large",
                            field + ": " + set.rowCount() + " rows × " + width + " × " + hooks + " hooks need "
                                    + (bytes >> 20) + " MiB in memory; this service allows " + (budget >> 20)
                                    + " MiB (half its heap). Analyse fewer hooks, filter rows, or give the interp"
                                    + " service more memory")
                    .with("field", field);
        }
    }

    public static void requirePooled(ActivationSet set, String field) {
        if (!set.pooled()) {
            throw ApiException.badRequest(
                            "unpooled-set",
                            field + ": set " + set.id() + " holds one vector per token (pooling all); directions and"
                                    + " analyses need one per input (capture with pooling mean or last)")
                    .with("field", field);
        }
    }

    /** Whether the set's files are all in place (a set whose folder was deleted reads as a clear 404). */
    public boolean present(ActivationSet set) {
        return Files.exists(artifacts.folder().resolve(set.folder()).resolve("metadata.json"));
    }
}

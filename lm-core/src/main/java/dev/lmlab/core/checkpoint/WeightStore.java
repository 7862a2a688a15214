package dev.lmlab.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The weights of a checkpoint folder: {@code model.safetensors}, or the shards listed in {@code
 * model.safetensors.index.json}. Every shard is opened (and so validated) up front; the index must name only
 * shards that exist and tensors those shards hold.
 */
public final class WeightStore implements AutoCloseable {

    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path folder;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> files;

    private WeightStore(Path folder, Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> files) {
        this.folder = folder;
        this.byTensor = byTensor;
        this.files = files;
    }

    public static WeightStore open(Path folder) {
        Path index = folder.resolve(INDEX);
        Path single = folder.resolve(SINGLE);
        if (Files.exists(index)) {
            return sharded(folder, index);
        }
        if (Files.exists(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> map = new LinkedHashMap<>();
            file.tensors().keySet().forEach(name -> map.put(name, file));
            return new WeightStore(folder, map, List.of(file));
        }
        throw new CheckpointException(
                folder,
                "holds neither " + SINGLE + " nor " + INDEX
                        + " (only safetensors checkpoints are read; convert .bin/.pt files with transformers first)");
    }

    private static WeightStore sharded(Path folder, Path index) {
        JsonNode map;
        try {
            map = JsonMapper.shared().readTree(Files.readString(index)).path("weight_map");
        } catch (java.io.IOException e) {
            throw new CheckpointException(index, "cannot read: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new CheckpointException(index, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index, "has no weight_map");
        }
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                String shardName = e.getValue().asString();
                Path shard = folder.resolve(shardName).normalize();
                if (!shard.getParent().equals(folder.normalize())) {
                    throw new CheckpointException(
                            index, "tensor '" + e.getKey() + "' points outside the folder: " + shardName);
                }
                SafetensorsFile file = opened.get(shardName);
                if (file == null) {
                    if (!Files.exists(shard)) {
                        throw new CheckpointException(index, "names shard " + shardName + ", which does not exist");
                    }
                    file = SafetensorsFile.open(shard);
                    opened.put(shardName, file);
                    files.add(file);
                }
                if (file.find(e.getKey()).isEmpty()) {
                    throw new CheckpointException(
                            shard, "has no tensor '" + e.getKey() + "' although " + INDEX + " places it there");
                }
                byTensor.put(e.getKey(), file);
            }
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new WeightStore(folder, byTensor, files);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(byTensor.keySet()));
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).require(name);
    }

    /** Loads a tensor, checking its shape against what the model expects. */
    public NDArray load(NDManager manager, String name, long... expectedShape) {
        SafetensorsFile file = file(name);
        TensorInfo info = file.require(name);
        if (!java.util.Arrays.equals(info.shape(), expectedShape)) {
            throw new CheckpointException(
                    file.path(),
                    "tensor '" + name + "' has shape " + info.shapeString() + " but the config implies "
                            + java.util.Arrays.toString(expectedShape));
        }
        return file.load(manager, name);
    }

    public float[] readFloats(String name) {
        return file(name).readFloats(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = byTensor.get(name);
        if (file == null) {
            throw new CheckpointException(folder, "checkpoint has no tensor '" + name + "'");
        }
        return file;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}

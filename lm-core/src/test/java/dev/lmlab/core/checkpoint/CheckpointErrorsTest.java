package dev.lmlab.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.SafetensorsWriter;
import dev.lmlab.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that cannot be used fails with a message naming the file, the tensor, expected and found. */
class CheckpointErrorsTest {

    @TempDir
    Path dir;

    private Path copyOf(String fixture) throws Exception {
        Path source = Path.of(getClass().getResource("/fixtures/" + fixture).toURI());
        Path target = dir.resolve(fixture);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    /** Rewrites model.safetensors through {@code edit}, which may drop, add or reshape tensors. */
    private static void rewrite(Path folder, java.util.function.BiConsumer<SafetensorsFile, SafetensorsWriter> edit)
            throws IOException {
        Path file = folder.resolve("model.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            edit.accept(st, writer);
        }
        writer.write(file);
    }

    private static void copyAllBut(SafetensorsFile st, SafetensorsWriter w, String skip) {
        for (TensorInfo t : st.tensors().values()) {
            if (!t.name().equals(skip)) {
                w.addFloats(t.name(), t.shape(), st.readFloats(t.name()));
            }
        }
    }

    @Test
    void unknownArchitecturesAreNamedWithTheSupportedOnes() throws Exception {
        Path folder = copyOf("llama-tiny");
        Path config = folder.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("LlamaForCausalLM", "MambaForCausalLM"));

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("MambaForCausalLM")
                .hasMessageContaining("Qwen3ForCausalLM");
    }

    @Test
    void missingTensorsAreNamed() throws Exception {
        Path folder = copyOf("llama-tiny");
        rewrite(folder, (st, w) -> copyAllBut(st, w, "model.layers.1.mlp.up_proj.weight"));

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing")
                .hasMessageContaining("model.layers.1.mlp.up_proj.weight");
    }

    @Test
    void tensorsTheArchitectureDoesNotUseAreNamed() throws Exception {
        Path folder = copyOf("llama-tiny");
        rewrite(folder, (st, w) -> {
            copyAllBut(st, w, "");
            w.addFloats("model.layers.0.self_attn.q_norm.weight", new long[] {16}, new float[16]);
        });

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not use")
                .hasMessageContaining("model.layers.0.self_attn.q_norm.weight");
    }

    @Test
    void shapesThatDisagreeWithTheConfigAreNamedWithBothShapes() throws Exception {
        Path folder = copyOf("llama-tiny");
        Path config = folder.resolve("config.json");
        Files.writeString(
                config, Files.readString(config).replace("\"intermediate_size\": 160", "\"intermediate_size\": 128"));

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("gate_proj.weight")
                .hasMessageContaining("[160, 64]")
                .hasMessageContaining("[128, 64]");
    }

    @Test
    void anIndexNamingAMissingShardIsRefused() throws Exception {
        Path folder = copyOf("llama3-scaled-tiny");
        try (Stream<Path> files = Files.list(folder)) {
            Path shard = files.filter(f -> f.getFileName().toString().startsWith("model-0000"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
            Files.delete(shard);
        }

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("does not exist");
    }

    @Test
    void aTruncatedWeightFileIsRefused() throws Exception {
        Path folder = copyOf("qwen2-tiny");
        Path weights = folder.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> LanguageModel.load(folder, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("truncated");
    }

    @Test
    void configsWithMissingKeysSayWhichKey() throws Exception {
        Path folder = copyOf("llada-tiny");
        Path config = folder.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"d_model\"", "\"width\""));

        assertThat(folder.resolve("config.json")).exists();
        assertThatThrownBy(() -> ModelConfig.read(config))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'d_model'");
    }
}

package dev.lmlab.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.model.ModelWeights;
import dev.lmlab.core.tiny.TinyModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsPartWayLeavesThePreviousCheckpointAsItWasAndNoStagingBehind() throws Exception {
        ModelConfig config = TinyModels.config(ModelConfig.Family.LLADA, TinyModels.Size.TINY);
        Path target = dir.resolve("step-10");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            CheckpointWriter.save(config, ModelWeights.random(config, m, 1, 0.1).named(), null, target);
            byte[] before = Files.readAllBytes(target.resolve("model.safetensors"));

            assertThatThrownBy(() -> CheckpointWriter.save(
                            config, ModelWeights.random(config, m, 2, 0.1).named(), null, target, staging -> {
                                throw new IOException("No space left on device");
                            }))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("the disk is full")
                    .hasMessageContaining("step-10");

            assertThat(Files.readAllBytes(target.resolve("model.safetensors"))).isEqualTo(before);
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly("step-10");
            }
        }
    }
}

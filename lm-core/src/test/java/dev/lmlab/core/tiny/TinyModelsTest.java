package dev.lmlab.core.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.tokenizer.ChatMessage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyModelsTest {

    @TempDir
    Path dir;

    @Test
    void everyFamilyIsWrittenAsACheckpointThatLoadsAndRuns() {
        for (ModelConfig.Family family : ModelConfig.Family.values()) {
            Path folder = dir.resolve(family.name().toLowerCase());
            ModelConfig written = TinyModels.write(folder, family, TinyModels.Size.TINY, 1, 0.1);

            try (LanguageModel model = LanguageModel.load(folder, Device.cpu());
                    NDManager m = NDManager.newBaseManager("PyTorch")) {
                assertThat(model.config()).isEqualTo(written);
                long[] ids = model.tokenizer().encode("hi!");
                NDArray logits = model.transformer().forward(m.create(ids, new Shape(1, ids.length)));
                assertThat(logits.getShape()).isEqualTo(new Shape(1, 3, TinyModels.VOCAB));
                assertThat(model.tokenizer().decode(ids, true)).isEqualTo("hi!");
                assertThat(model.tokenizer().specials().maskId()).isEqualTo(TinyModels.MASK);
                assertThat(model.tokenizer().applyChatTemplate(List.of(ChatMessage.user("yo")), true))
                        .isEqualTo("<|im_start|>user\nyo<|im_end|>\n<|im_start|>assistant\n");
            }
        }
    }

    @Test
    void theBenchmarkSizeIsAbout100MillionParameters() {
        ModelConfig c = TinyModels.config(ModelConfig.Family.LLAMA, TinyModels.Size.BENCH_100M);
        long perLayer = 4L * 768 * 768 + 3L * 768 * 3072 + 2 * 768;
        long total = 12 * perLayer + 2L * TinyModels.VOCAB * 768 + 768;

        assertThat(total).isBetween(80_000_000L, 120_000_000L);
        assertThat(c.numLayers()).isEqualTo(12);
    }
}

package dev.lmlab.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.generate.DiffusionDecoder;
import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.generate.Generation;
import dev.lmlab.core.generate.Generator;
import dev.lmlab.core.generate.SamplingParams;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * float16 weights (the GPU setting), checked on the CPU, where PyTorch also runs half precision: the logits
 * stay close to float32's, the cache and both decoders run, and nothing silently promotes back to float32.
 */
class HalfPrecisionTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "qwen3-tiny", "llada-tiny"})
    void float16LogitsStayCloseToFloat32(String fixture) throws Exception {
        Path folder = Path.of(getClass().getResource("/fixtures/" + fixture).toURI());
        try (LanguageModel full = LanguageModel.load(folder, Device.cpu());
                LanguageModel half = LanguageModel.load(folder, Device.cpu(), DataType.FLOAT16);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThat(half.transformer().dtype()).isEqualTo(DataType.FLOAT16);
            assertThat(half.transformer().weights().layers().get(0).q().getDataType())
                    .isEqualTo(DataType.FLOAT16);
            assertThat(half.transformer().cpuDecoder())
                    .as("the Vector-API path is float32 only")
                    .isEmpty();

            long[] ids = {1, 30, 31, 32, 33, 34, 35, 36};
            NDArray x = m.create(ids, new Shape(1, ids.length));
            float[] reference = full.transformer().forward(x).toFloatArray();
            NDArray halfLogits = half.transformer().forward(x);
            assertThat(halfLogits.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] logits = halfLogits.toFloatArray();
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < logits.length; i++) {
                worst = Math.max(worst, Math.abs(logits[i] - reference[i]));
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            // float16 keeps ~3 significant digits; errors grow a little through the layers
            assertThat(worst).isLessThan(1e-2 * Math.max(1, scale));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny"})
    void float16DecodesWithTheCacheAsFloat32Does(String fixture) throws Exception {
        Path folder = Path.of(getClass().getResource("/fixtures/" + fixture).toURI());
        try (LanguageModel full = LanguageModel.load(folder, Device.cpu());
                LanguageModel half = LanguageModel.load(folder, Device.cpu(), DataType.FLOAT16)) {
            SamplingParams greedy = new SamplingParams(8, 0, 0, 1, 1, List.of(), Set.of(-1L), 0, 0);
            List<long[]> prompts = List.of(new long[] {1, 40, 41, 42}, new long[] {1, 50});
            List<Generation> a = new Generator(full).generate(prompts, greedy);
            List<Generation> b = new Generator(half).generate(prompts, greedy);
            // random tiny weights give near-ties, so demand agreement on the first tokens only
            for (int r = 0; r < prompts.size(); r++) {
                assertThat(b.get(r).tokenIds()).hasSize(8);
                assertThat(b.get(r).tokenIds()[0]).isEqualTo(a.get(r).tokenIds()[0]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llada-tiny"})
    void float16MaskedDiffusionRunsWithThePrefixCache(String fixture) throws Exception {
        Path folder = Path.of(getClass().getResource("/fixtures/" + fixture).toURI());
        try (LanguageModel half = LanguageModel.load(folder, Device.cpu(), DataType.FLOAT16)) {
            var result = new DiffusionDecoder(half)
                    .generate(
                            new long[] {1, 40, 41},
                            new DiffusionParams(
                                    8, 4, 4, DiffusionParams.Remasking.LOW_CONFIDENCE, 0, 0, null, true, true, 0));
            assertThat(result.outputIds()).hasSize(8).doesNotContain((long)
                    half.config().maskTokenId());
        }
    }
}

package dev.lmlab.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.KvCache;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.core.model.ModelWeights;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector-API decode path against PyTorch: a left-padded batch is prefilled, its cache handed over, and every
 * decode step's logits must equal those of one full PyTorch forward over the whole sequence.
 */
class CpuDecoderTest {

    // 13 rows of 2-6 tokens: the kernels take rows 8, 4 and 1 at a time, so every one of their paths runs
    static final int ROWS = 13;
    static final int LONGEST = 6;
    static final int STEPS = 4;
    static final long[][] PROMPTS = new long[ROWS][];
    static final long[][] CONTINUATIONS = new long[ROWS][STEPS];

    static {
        for (int r = 0; r < ROWS; r++) {
            PROMPTS[r] = new long[2 + (r * 3) % 5];
            PROMPTS[r][0] = 1;
            for (int i = 1; i < PROMPTS[r].length; i++) {
                PROMPTS[r][i] = 20 + (r * 7 + i * 3) % 80;
            }
            for (int j = 0; j < STEPS; j++) {
                CONTINUATIONS[r][j] = 20 + (r * 5 + j * 11) % 80;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "llama3-scaled-tiny", "qwen2-tiny", "qwen3-tiny"})
    void decodeStepsMatchAFullForwardWithLeftPadding(String fixture) throws Exception {
        try (LanguageModel model = LanguageModel.load(fixturePath(fixture), Device.cpu());
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            Optional<CpuDecoder> decoder = model.transformer().cpuDecoder();
            assertThat(decoder).as("the Vector API module is on the test JVM").isPresent();

            int b = ROWS;
            int longest = LONGEST;
            int steps = STEPS;
            int total = longest + steps;
            int[] pads = new int[b];
            long[] ids = new long[b * total];
            long[] mask = new long[b * total];
            long[] positions = new long[b * total];
            for (int r = 0; r < b; r++) {
                pads[r] = longest - PROMPTS[r].length;
                for (int i = 0; i < total; i++) {
                    boolean real = i >= pads[r];
                    ids[r * total + i] =
                            !real ? 0 : i < longest ? PROMPTS[r][i - pads[r]] : CONTINUATIONS[r][i - longest];
                    mask[r * total + i] = real ? 1 : 0;
                    positions[r * total + i] = Math.max(0, i - pads[r]);
                }
            }
            // reference: the whole sequence at once, no cache
            float[] full = model.transformer()
                    .forward(
                            m.create(ids, new Shape(b, total)),
                            m.create(mask, new Shape(b, total)),
                            m.create(positions, new Shape(b, total)),
                            null,
                            Hooks.NONE,
                            HookSite.PROMPT)
                    .toFloatArray();
            int v = model.config().vocabSize();

            // fast path: PyTorch prefill into a cache, then Vector-API steps
            try (KvCache cache = KvCache.allocate(model.config(), b, total, m)) {
                model.transformer()
                        .forward(
                                m.create(slice(ids, b, total, longest), new Shape(b, longest)),
                                m.create(slice(mask, b, total, longest), new Shape(b, longest)),
                                m.create(slice(positions, b, total, longest), new Shape(b, longest)),
                                cache,
                                Hooks.NONE,
                                HookSite.PROMPT);
                CpuDecoder.State state = decoder.get().importCache(cache, b, pads);
                for (int j = 0; j < steps; j++) {
                    long[] tokens = new long[b];
                    int[] stepPositions = new int[b];
                    for (int r = 0; r < b; r++) {
                        tokens[r] = CONTINUATIONS[r][j];
                        stepPositions[r] = longest + j - pads[r];
                    }
                    float[] logits = decoder.get().step(state, tokens, stepPositions);
                    for (int r = 0; r < b; r++) {
                        int at = (r * total + longest + j) * v;
                        for (int i = 0; i < v; i++) {
                            assertThat(logits[r * v + i])
                                    .as("%s row %d step %d logit %d", fixture, r, j, i)
                                    .isCloseTo(full[at + i], offset(1e-4f));
                        }
                    }
                }
                for (int r = 0; r < b; r++) {
                    assertThat(state.rows().get(r).length()).isEqualTo(total - pads[r]);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llada-tiny"})
    void maskedDiffusionModelsHaveNoCpuDecodePath(String fixture) throws Exception {
        try (LanguageModel model = LanguageModel.load(fixturePath(fixture), Device.cpu())) {
            assertThat(model.transformer().cpuDecoder()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny"})
    void weightsUpdatedInPlaceAreSeenByTheNextDecoder(String fixture) throws Exception {
        try (LanguageModel model = LanguageModel.load(fixturePath(fixture), Device.cpu());
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            CpuDecoder before = model.transformer().cpuDecoder().orElseThrow();
            ModelWeights w = model.transformer().weights();
            w.finalNorm().muli(2);
            model.transformer().weightsUpdated();
            CpuDecoder after = model.transformer().cpuDecoder().orElseThrow();
            assertThat(after).isNotSameAs(before);

            long[] prompt = PROMPTS[0];
            float[] reference = model.transformer()
                    .forward(m.create(prompt, new Shape(1, prompt.length)))
                    .toFloatArray();
            try (KvCache cache = KvCache.allocate(model.config(), 1, prompt.length, m)) {
                NDArray ids = m.create(Arrays.copyOf(prompt, prompt.length - 1), new Shape(1, prompt.length - 1));
                model.transformer().forward(ids, null, null, cache, Hooks.NONE, HookSite.PROMPT);
                CpuDecoder.State state = after.importCache(cache, 1, new int[] {0});
                float[] logits =
                        after.step(state, new long[] {prompt[prompt.length - 1]}, new int[] {prompt.length - 1});
                int v = model.config().vocabSize();
                for (int i = 0; i < v; i++) {
                    assertThat(logits[i]).isCloseTo(reference[(prompt.length - 1) * v + i], offset(1e-4f));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny"})
    void closingTheModelStopsTheDecodeThreads(String fixture) throws Exception {
        CpuDecoder decoder;
        try (LanguageModel model = LanguageModel.load(fixturePath(fixture), Device.cpu())) {
            decoder = model.transformer().cpuDecoder().orElseThrow();
            assertThat(decoder.closed()).isFalse();
        }
        assertThat(decoder.closed())
                .as("an unloaded model leaves no threads behind")
                .isTrue();
    }

    static long[] slice(long[] a, int b, int total, int length) {
        long[] out = new long[b * length];
        for (int r = 0; r < b; r++) {
            System.arraycopy(a, r * total, out, r * length, length);
        }
        return out;
    }

    static Path fixturePath(String name) throws Exception {
        return Path.of(CpuDecoderTest.class.getResource("/fixtures/" + name).toURI());
    }
}

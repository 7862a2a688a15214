package dev.lmlab.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Properties any correct implementation has, checked on random weights. */
class TransformerInvariantsTest {

    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Transformer model(ModelConfig config) {
        return new Transformer(config, ModelWeights.random(config, manager, 7, 0.2), manager);
    }

    private NDArray ids(long... values) {
        return manager.create(values, new Shape(1, values.length));
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void causalModelsIgnoreLaterTokens() {
        for (ModelConfig config : new ModelConfig[] {TinyConfigs.llama(), TinyConfigs.qwen3()}) {
            Transformer model = model(config);
            NDArray a = model.forward(ids(5, 9, 11, 4, 20, 7));
            NDArray b = model.forward(ids(5, 9, 11, 4, 33, 41));

            assertThat(maxDiff(a.get(new NDIndex(":, :4")), b.get(new NDIndex(":, :4"))))
                    .isZero();
            assertThat(maxDiff(a.get(new NDIndex(":, 4:")), b.get(new NDIndex(":, 4:"))))
                    .isGreaterThan(1e-3f);
        }
    }

    @Test
    void maskedDiffusionModelsAttendBothWays() {
        Transformer model = model(TinyConfigs.llada());
        NDArray a = model.forward(ids(5, 9, 11, 3, 3, 7));
        NDArray b = model.forward(ids(5, 9, 11, 3, 3, 8));

        assertThat(maxDiff(a.get(new NDIndex(":, :1")), b.get(new NDIndex(":, :1"))))
                .isGreaterThan(1e-4f);
    }

    @Test
    void incrementalDecodingWithTheCacheEqualsTheFullForward() {
        for (ModelConfig config : new ModelConfig[] {TinyConfigs.llama(), TinyConfigs.qwen3()}) {
            Transformer model = model(config);
            long[] tokens = {5, 9, 11, 4, 20, 7, 13, 2};
            NDArray full = model.forward(ids(tokens)); // (1, 8, V)

            try (KvCache cache = KvCache.allocate(config, 1, 16, manager)) {
                NDArray prefill = model.forward(ids(5, 9, 11, 4, 20), null, null, cache, Hooks.NONE, HookSite.PROMPT);
                assertThat(maxDiff(prefill, full.get(new NDIndex(":, :5")))).isLessThan(1e-4f);
                for (int i = 5; i < tokens.length; i++) {
                    NDArray step = model.forward(ids(tokens[i]), null, null, cache, Hooks.NONE, HookSite.PROMPT);
                    assertThat(maxDiff(step, full.get(new NDIndex(":, {}:{}", i, i + 1))))
                            .isLessThan(1e-4f);
                }
                assertThat(cache.length()).isEqualTo(8);
            }
        }
    }

    @Test
    void aLeftPaddedBatchGivesEachRowItsUnbatchedLogits() {
        ModelConfig config = TinyConfigs.llama();
        Transformer model = model(config);
        NDArray alone = model.forward(ids(9, 11, 4)); // (1, 3, V)
        NDArray longer = model.forward(ids(5, 6, 9, 11, 4, 8)); // (1, 6, V)

        // row 0 is left-padded by 3: pad ids, mask 0, positions starting at 0 from the first real token
        NDArray batch = manager.create(new long[] {0, 0, 0, 9, 11, 4, 5, 6, 9, 11, 4, 8}, new Shape(2, 6));
        NDArray mask = manager.create(new long[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
        NDArray positions = manager.create(new long[] {0, 0, 0, 0, 1, 2, 0, 1, 2, 3, 4, 5}, new Shape(2, 6));
        NDArray logits = model.forward(batch, mask, positions, null, Hooks.NONE, HookSite.PROMPT);

        assertThat(maxDiff(logits.get(new NDIndex("0:1, 3:")), alone)).isLessThan(1e-4f);
        assertThat(maxDiff(logits.get(new NDIndex("1:2, :")), longer)).isLessThan(1e-4f);
    }
}

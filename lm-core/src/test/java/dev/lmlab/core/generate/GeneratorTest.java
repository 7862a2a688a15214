package dev.lmlab.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.LanguageModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    static LanguageModel model;
    static Generator generator;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(
                Path.of(GeneratorTest.class.getResource("/fixtures/qwen2-tiny").toURI()), Device.cpu());
        generator = new Generator(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static SamplingParams sampling(int n, double temperature, long seed) {
        return new SamplingParams(n, temperature, 0, 1, 1, List.of(), Set.of(2L), seed, 0);
    }

    /** Greedy decoding the slow way: a full forward over the growing sequence each step, no cache. */
    static long[] slowGreedy(long[] prompt, int n) {
        List<Long> seq = new ArrayList<>();
        for (long t : prompt) {
            seq.add(t);
        }
        List<Long> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < n; i++) {
                NDArray ids = m.create(seq.stream().mapToLong(Long::longValue).toArray(), new Shape(1, seq.size()));
                NDArray logits = model.transformer().forward(ids);
                long next = logits.get(new NDIndex("0, -1, :")).argMax().getLong();
                if (next == 2) {
                    break;
                }
                seq.add(next);
                out.add(next);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void greedyDecodingWithTheCacheEqualsDecodingWithout() {
        long[] prompt = model.tokenizer().encode("Hello, wor");

        Generation g =
                generator.generate(List.of(prompt), SamplingParams.greedy(12)).get(0);

        assertThat(g.tokenIds()).containsExactly(slowGreedy(prompt, 12));
        assertThat(g.text()).isEqualTo(model.tokenizer().decode(g.tokenIds(), true));
    }

    @Test
    void aBatchGivesEveryRowWhatItGetsAlone() {
        List<long[]> prompts = List.of(
                model.tokenizer().encode("ab"),
                model.tokenizer().encode("The quick brown"),
                model.tokenizer().encode("x"));
        for (SamplingParams p : List.of(SamplingParams.greedy(10), sampling(10, 1.3, 99))) {
            List<Generation> batch = generator.generate(prompts, p);
            for (int r = 0; r < prompts.size(); r++) {
                SamplingParams alone = new SamplingParams(
                        p.maxNewTokens(),
                        p.temperature(),
                        p.topK(),
                        p.topP(),
                        p.repetitionPenalty(),
                        p.stop(),
                        p.stopTokenIds(),
                        p.seed() + r,
                        p.topLogprobs());
                Generation single =
                        generator.generate(List.of(prompts.get(r)), alone).get(0);
                assertThat(batch.get(r).tokenIds())
                        .as("row " + r + " at T=" + p.temperature())
                        .containsExactly(single.tokenIds());
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        long[] prompt = model.tokenizer().encode("Once upon");
        long[] a =
                generator.generate(List.of(prompt), sampling(16, 1.5, 7)).get(0).tokenIds();
        long[] again =
                generator.generate(List.of(prompt), sampling(16, 1.5, 7)).get(0).tokenIds();
        long[] other =
                generator.generate(List.of(prompt), sampling(16, 1.5, 8)).get(0).tokenIds();

        assertThat(again).containsExactly(a);
        assertThat(Arrays.equals(a, other)).isFalse();
    }

    @Test
    void topKOneIsGreedyAndTopPKeepsOnlyLikelyTokens() {
        long[] prompt = model.tokenizer().encode("Hello");
        long[] greedy = generator
                .generate(List.of(prompt), SamplingParams.greedy(8))
                .get(0)
                .tokenIds();
        long[] topK1 = generator
                .generate(List.of(prompt), new SamplingParams(8, 2.0, 1, 1, 1, List.of(), Set.of(2L), 3, 0))
                .get(0)
                .tokenIds();

        assertThat(topK1).containsExactly(greedy);
    }

    @Test
    void stopStringsEndTheTextAndStreamingNeverShowsThem() {
        long[] prompt = model.tokenizer().encode("Hello, wor");
        Generation free =
                generator.generate(List.of(prompt), SamplingParams.greedy(12)).get(0);
        assertThat(free.text().length()).isGreaterThan(3);
        String stop = free.text().substring(2, 4);
        StringBuilder streamed = new StringBuilder();

        Generation stopped = generator
                .generate(
                        List.of(prompt),
                        new SamplingParams(12, 0, 0, 1, 1, List.of(stop), Set.of(2L), 0, 0),
                        dev.lmlab.core.model.Hooks.NONE,
                        (row, delta) -> streamed.append(delta))
                .get(0);

        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.text())
                .isEqualTo(free.text().substring(0, free.text().indexOf(stop)));
        assertThat(streamed.toString()).isEqualTo(stopped.text());
        assertThat(model.tokenizer().decode(stopped.tokenIds(), true)).startsWith(stopped.text());
    }

    @Test
    void logprobsAreTheModelsAndTheTopAlternativesAreOrdered() {
        long[] prompt = model.tokenizer().encode("Hi");
        Generation g = generator
                .generate(List.of(prompt), new SamplingParams(3, 0, 0, 1, 1, List.of(), Set.of(2L), 0, 5))
                .get(0);

        Generation.TokenLogprob first = g.logprobs().get(0);
        assertThat(first.top()).hasSize(5);
        assertThat(first.top().get(0).token()).isEqualTo(first.token());
        assertThat(first.top())
                .extracting(Generation.Alternative::logprob)
                .isSortedAccordingTo((a, b) -> Double.compare(b, a));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = model.transformer().forward(m.create(prompt, new Shape(1, prompt.length)));
            double expected = logits.get(new NDIndex("0, -1, :")).logSoftmax(-1).getFloat(first.token());
            assertThat(first.logprob()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void requestsBeyondTheContextAreRefused() {
        long[] prompt = new long[100];
        Arrays.fill(prompt, 40);

        assertThatThrownBy(() -> generator.generate(List.of(prompt), SamplingParams.greedy(50)))
                .hasMessageContaining("context of 128");
        assertThatThrownBy(() -> new SamplingParams(0, 0, 0, 1, 1, null, null, 0, 0))
                .hasMessageContaining("maxNewTokens");
    }
}

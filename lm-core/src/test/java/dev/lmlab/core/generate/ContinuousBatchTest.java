package dev.lmlab.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lmlab.core.model.LanguageModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests that join and leave a running batch get what they would get decoded alone. */
class ContinuousBatchTest {

    static LanguageModel model;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(
                Path.of(ContinuousBatchTest.class
                        .getResource("/fixtures/qwen2-tiny")
                        .toURI()),
                Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static SamplingParams params(int max, double temperature, long seed, List<String> stop) {
        return new SamplingParams(max, temperature, 0, 0.9, 1, stop, Set.of(), seed, 3);
    }

    @Test
    void requestsJoiningMidwayMatchDecodingAlone() {
        // the last prompt is longer than STEP_PREFILL_MAX: it is prefilled on PyTorch, the others inside the steps
        long[] longPrompt = new long[ContinuousBatch.STEP_PREFILL_MAX + 6];
        for (int i = 0; i < longPrompt.length; i++) {
            longPrompt[i] = 4 + (i * 7) % 90;
        }
        long[][] prompts = {{5, 9, 14, 3}, {7, 1}, {11, 12, 13, 14, 15, 16}, longPrompt};
        SamplingParams[] params = {
            params(12, 0, 0, List.of()),
            params(9, 1.3, 42, List.of()),
            params(15, 0.8, 7, List.of("e")),
            params(20, 0.5, 3, List.of())
        };
        int[] n = {1, 2, 1, 3};
        int[] joinAtStep = {0, 3, 5, 6};

        ContinuousBatch batch = ContinuousBatch.of(model).orElseThrow();
        Map<Integer, StringBuilder> streamed = new ConcurrentHashMap<>();
        List<ContinuousBatch.Request> requests = new ArrayList<>();
        int largestBatch = 0;
        for (int step = 0; step < 40; step++) {
            for (int q = 0; q < prompts.length; q++) {
                if (joinAtStep[q] == step) {
                    int request = q;
                    requests.add(batch.join(
                            prompts[q],
                            params[q],
                            n[q],
                            (row, delta) -> streamed.computeIfAbsent(request * 10 + row, k -> new StringBuilder())
                                    .append(delta)));
                }
            }
            largestBatch = Math.max(largestBatch, batch.size());
            batch.step();
        }
        assertThat(batch.idle()).isTrue();
        assertThat(largestBatch).as("rows of different requests shared steps").isGreaterThanOrEqualTo(3);

        Generator alone = new Generator(model);
        for (int q = 0; q < prompts.length; q++) {
            List<long[]> copies = new ArrayList<>();
            for (int i = 0; i < n[q]; i++) {
                copies.add(prompts[q]);
            }
            List<Generation> expected = alone.generate(copies, params[q]);
            List<Generation> actual = requests.get(q).result().join();
            assertThat(actual).hasSize(n[q]);
            for (int i = 0; i < n[q]; i++) {
                assertThat(actual.get(i).tokenIds())
                        .as("request %d row %d", q, i)
                        .containsExactly(expected.get(i).tokenIds());
                assertThat(actual.get(i).text()).isEqualTo(expected.get(i).text());
                assertThat(actual.get(i).finishReason())
                        .isEqualTo(expected.get(i).finishReason());
                assertThat(actual.get(i).logprobs())
                        .hasSize(expected.get(i).logprobs().size());
                for (int t = 0; t < actual.get(i).logprobs().size(); t++) {
                    assertThat(actual.get(i).logprobs().get(t).logprob())
                            .isCloseTo(
                                    expected.get(i).logprobs().get(t).logprob(),
                                    org.assertj.core.data.Offset.offset(1e-3));
                }
                assertThat(streamed.getOrDefault(q * 10 + i, new StringBuilder())
                                .toString())
                        .isEqualTo(actual.get(i).text());
            }
        }
        // the two samples of request 1 were seeded seed and seed + 1, so they differ
        assertThat(requests.get(1).result().join().get(0).tokenIds())
                .isNotEqualTo(requests.get(1).result().join().get(1).tokenIds());
    }

    @Test
    void aCancelledRequestLeavesAtTheNextStep() {
        ContinuousBatch batch = ContinuousBatch.of(model).orElseThrow();
        ContinuousBatch.Request kept = batch.join(new long[] {5, 6}, params(10, 0, 0, List.of()), 1, (r, d) -> {});
        ContinuousBatch.Request dropped = batch.join(new long[] {8, 9}, params(10, 0, 0, List.of()), 2, (r, d) -> {});
        batch.step();
        assertThat(batch.size()).isEqualTo(3);
        dropped.cancel();
        batch.step();
        assertThat(batch.size()).isEqualTo(1);
        assertThatThrownBy(() -> dropped.result().join()).isInstanceOf(CancellationException.class);
        while (!batch.idle()) {
            batch.step();
        }
        long[] alone = new Generator(model)
                .generate(List.of(new long[] {5, 6}), params(10, 0, 0, List.of()))
                .get(0)
                .tokenIds();
        assertThat(kept.result().join().get(0).tokenIds()).containsExactly(alone);
    }

    @Test
    void refusesARequestLongerThanTheContext() {
        ContinuousBatch batch = ContinuousBatch.of(model).orElseThrow();
        int context = model.config().maxPositions();
        assertThatThrownBy(() -> batch.join(new long[] {5}, params(context, 0, 0, List.of()), 1, (r, d) -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("context");
        assertThat(batch.idle()).isTrue();
    }
}

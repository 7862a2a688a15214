package dev.lmlab.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lmlab.core.model.Hooks;
import dev.lmlab.core.model.LanguageModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DiffusionDecoderTest {

    static LanguageModel model;
    static DiffusionDecoder decoder;
    static long[] prompt;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(
                Path.of(DiffusionDecoderTest.class
                        .getResource("/fixtures/llada-tiny")
                        .toURI()),
                Device.cpu());
        decoder = new DiffusionDecoder(model);
        prompt = model.tokenizer().encode("Hi there", true);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static DiffusionParams params(int gen, int steps, int block) {
        return DiffusionParams.reference(gen, steps, block);
    }

    @Test
    void everyResponsePositionIsUnmaskedOnceInBlockOrderAndOnSchedule() {
        DiffusionResult result = decoder.generate(prompt, params(12, 6, 4));

        assertThat(result.outputIds()).hasSize(12).doesNotContain(3L);
        assertThat(result.forwardPasses()).isEqualTo(6);
        assertThat(result.trajectory()).hasSize(6);
        int[] order = result.decodingOrder();
        assertThat(order).doesNotContain(-1);
        for (TrajectoryStep step : result.trajectory()) {
            assertThat(step.positions()).hasSize(2).isSorted();
            int blockStart = prompt.length + step.block() * 4;
            for (int p : step.positions()) {
                assertThat(p).isBetween(blockStart, blockStart + 3);
            }
            for (float c : step.confidences()) {
                assertThat(c).isBetween(0f, 1f);
            }
            for (float h : step.maskedEntropies()) {
                assertThat(h).isBetween(0f, (float) Math.log(model.config().vocabSize()) + 1e-3f);
            }
            for (int p : step.positions()) {
                assertThat(step.maskedPositions()).contains(p);
            }
        }
        // blocks fill left to right: every position of block k is decoded before any of block k+1
        for (int k = 0; k < 2; k++) {
            int lastOfBlock = Arrays.stream(order, k * 4, k * 4 + 4).max().getAsInt();
            int firstOfNext = Arrays.stream(order, k * 4 + 4, k * 4 + 8).min().getAsInt();
            assertThat(lastOfBlock).isLessThan(firstOfNext);
        }
    }

    @Test
    void anUnevenScheduleGivesTheFirstStepsOneMore() {
        DiffusionResult result = decoder.generate(prompt, params(10, 4, 10));

        assertThat(result.trajectory()).extracting(s -> s.positions().length).containsExactly(3, 3, 2, 2);
    }

    @Test
    void thresholdDecodingUnmasksSeveralPerStepAndNeedsFewerPasses() {
        DiffusionParams threshold =
                new DiffusionParams(12, 12, 12, DiffusionParams.Remasking.LOW_CONFIDENCE, 0, 0, 0.01, false, true, 0);

        DiffusionResult result = decoder.generate(prompt, threshold);

        assertThat(result.forwardPasses()).isLessThan(12);
        assertThat(result.decodingOrder()).doesNotContain(-1);
        assertThat(result.trajectory())
                .allSatisfy(s -> assertThat(s.positions()).isNotEmpty());
    }

    @Test
    void thePrefixCacheKeepsTheScheduleAndFillsEveryPosition() {
        DiffusionParams cached =
                new DiffusionParams(12, 6, 4, DiffusionParams.Remasking.LOW_CONFIDENCE, 0, 0, null, true, true, 0);
        DiffusionResult plain = decoder.generate(prompt, params(12, 6, 4));

        DiffusionResult result = decoder.generate(prompt, cached);

        assertThat(result.forwardPasses()).isEqualTo(6);
        assertThat(result.decodingOrder()).doesNotContain(-1);
        // the first step of the first block sees exactly what the uncached decoder sees
        assertThat(result.trajectory().get(0).positions())
                .containsExactly(plain.trajectory().get(0).positions());
    }

    @Test
    void noiseAndRandomRemaskingAreSeeded() {
        DiffusionParams noisy =
                new DiffusionParams(12, 6, 12, DiffusionParams.Remasking.RANDOM, 1.0, 0, null, false, false, 42);

        long[] a = decoder.generate(prompt, noisy).outputIds();
        long[] b = decoder.generate(prompt, noisy).outputIds();

        assertThat(a).containsExactly(b);
    }

    @Test
    void aBatchDecodesEveryRowAsItWouldAlone() {
        long[] other = model.tokenizer().encode("A longer prompt here", true);
        List<DiffusionResult> batch = decoder.generate(List.of(prompt, other), params(8, 4, 8), Hooks.NONE);

        assertThat(batch.get(0).outputIds())
                .containsExactly(decoder.generate(prompt, params(8, 4, 8)).outputIds());
        assertThat(batch.get(1).outputIds())
                .containsExactly(decoder.generate(other, params(8, 4, 8)).outputIds());
        assertThat(batch.get(0).trajectory().get(0).positions()[0]).isGreaterThanOrEqualTo(prompt.length);
    }

    @Test
    void guidedDecodingReplaysTheReferenceInTheModelsOrder() {
        long[] reference = model.tokenizer().encode("hello world!");

        DiffusionResult guided = decoder.guided(prompt, reference, 6, 0);

        assertThat(guided.outputIds()).containsExactly(reference);
        int[] order = guided.decodingOrder();
        assertThat(order).hasSize(reference.length).doesNotContain(-1);
        assertThat(Arrays.stream(order).max().getAsInt()).isEqualTo(5);
        // confidence is the model's probability of the reference token, so it can be anything in (0, 1]
        for (float c : guided.trajectory().get(0).confidences()) {
            assertThat(c).isBetween(0f, 1f);
        }
    }

    @Test
    void badRequestsAreRefused() {
        assertThatThrownBy(() -> params(10, 5, 4)).hasMessageContaining("multiple of block_length");
        assertThatThrownBy(() -> params(12, 5, 4)).hasMessageContaining("multiple of the number of blocks");
        assertThatThrownBy(() -> decoder.generate(new long[] {1, 3, 5}, params(4, 4, 4)))
                .hasMessageContaining("mask token");
        assertThatThrownBy(() -> decoder.generate(prompt, params(128, 8, 128))).hasMessageContaining("context");
    }
}

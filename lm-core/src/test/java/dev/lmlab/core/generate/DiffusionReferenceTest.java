package dev.lmlab.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.lmlab.core.model.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Step-by-step traces of masked-diffusion decoding against LLaDA's published sampler ({@code generate.py}),
 * re-implemented in {@code lm-core/fixtures/make_llada_generate_reference.py} on the llada-tiny fixture. Only
 * deterministic settings (temperature 0, low-confidence remasking) are compared: the two sides' random number
 * generators differ. The script refuses cases that hinge on near ties, so ids and positions must agree exactly.
 */
class DiffusionReferenceTest {

    static final float CONFIDENCE_TOLERANCE = 1e-4f;
    static final float ENTROPY_TOLERANCE = 1e-4f;

    static LanguageModel model;
    static DiffusionDecoder decoder;
    static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        Path folder = Path.of(
                DiffusionReferenceTest.class.getResource("/fixtures/llada-tiny").toURI());
        model = LanguageModel.load(folder, Device.cpu());
        decoder = new DiffusionDecoder(model);
        reference = JsonMapper.shared().readTree(Files.readString(folder.resolve("generate_reference.json")));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static JsonNode referenceCase(String name) {
        for (JsonNode c : reference.get("cases")) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name + " in generate_reference.json");
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"single_block", "three_blocks", "uneven_schedule", "cfg"})
    void generationFollowsTheReferenceStepByStep(String name) {
        JsonNode c = referenceCase(name);
        assertThat(c.get("temperature").asDouble()).isZero();
        assertThat(c.get("remasking").asString()).isEqualTo("low_confidence");
        DiffusionParams params = new DiffusionParams(
                c.get("gen_length").asInt(),
                c.get("steps").asInt(),
                c.get("block_length").asInt(),
                DiffusionParams.Remasking.LOW_CONFIDENCE,
                0,
                c.get("cfg_scale").asDouble(),
                null,
                false,
                true,
                0);

        DiffusionResult result = decoder.generate(longs(c.get("prompt_ids")), params);

        assertMatches(c, result);
    }

    @Test
    void guidedDecodingReplaysTheReferenceInTheReferenceOrder() {
        JsonNode c = referenceCase("guided");
        long[] response = longs(c.get("reference_ids"));

        DiffusionResult result = decoder.guided(
                longs(c.get("prompt_ids")),
                response,
                c.get("steps").asInt(),
                c.get("block_length").asInt());

        assertThat(result.outputIds()).containsExactly(response);
        assertMatches(c, result);
    }

    static void assertMatches(JsonNode c, DiffusionResult result) {
        String name = c.get("name").asString();
        assertThat(result.outputIds()).as(name + " output ids").containsExactly(longs(c.get("output_ids")));
        // a classifier-free-guidance step costs a conditional and an unconditional pass
        assertThat(result.forwardPasses())
                .as(name + " forward passes")
                .isEqualTo(c.get("forward_passes").asInt());
        JsonNode steps = c.get("trajectory");
        List<TrajectoryStep> trajectory = result.trajectory();
        assertThat(trajectory).as(name + " steps").hasSize(steps.size());
        for (int s = 0; s < steps.size(); s++) {
            JsonNode expected = steps.get(s);
            TrajectoryStep actual = trajectory.get(s);
            String at = name + " step " + s;
            assertThat(actual.step()).as(at).isEqualTo(expected.get("step").asInt());
            assertThat(actual.block())
                    .as(at + " block")
                    .isEqualTo(expected.get("block").asInt());
            assertThat(actual.positions()).as(at + " positions").containsExactly(ints(expected.get("positions")));
            assertThat(actual.tokens()).as(at + " tokens").containsExactly(longs(expected.get("tokens")));
            assertThat(actual.confidences())
                    .as(at + " confidences")
                    .containsExactly(floats(expected.get("confidences")), within(CONFIDENCE_TOLERANCE));
            assertThat(actual.maskedPositions())
                    .as(at + " masked positions")
                    .containsExactly(ints(expected.get("masked_positions")));
            assertThat(actual.maskedEntropies())
                    .as(at + " masked entropies")
                    .containsExactly(floats(expected.get("masked_entropies")), within(ENTROPY_TOLERANCE));
        }
    }
}

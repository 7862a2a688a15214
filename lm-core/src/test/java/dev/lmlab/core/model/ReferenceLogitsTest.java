package dev.lmlab.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.lmlab.core.safetensors.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every architecture against reference outputs computed outside the project: Hugging Face transformers for Llama
 * (plain, bf16 weights, Llama-3 rope scaling with sharded weights), Qwen2 and Qwen3; a PyTorch reference written
 * from the published modeling code for LLaDA. See lm-core/fixtures/README.md for how they were made.
 */
class ReferenceLogitsTest {

    static final float TOLERANCE = 1e-4f;

    static Path fixture(String name) {
        try {
            return Path.of(
                    ReferenceLogitsTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records the activations at the hook points the fixtures hold. */
    static final class Recorder implements Hooks {
        final Map<String, NDArray> seen = new HashMap<>();
        final NDManager keep;

        Recorder(NDManager keep) {
            this.keep = keep;
        }

        @Override
        public boolean active(String hookPoint) {
            return true;
        }

        @Override
        public NDArray at(String hookPoint, NDArray activation, HookSite site) {
            NDArray copy = activation.duplicate();
            copy.attach(keep);
            seen.put(hookPoint, copy);
            return activation;
        }
    }

    static float maxDiff(NDArray a, NDArray b) {
        assertThat(a.getShape()).isEqualTo(b.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"llama-tiny", "llama-tiny-bf16", "llama3-scaled-tiny", "qwen2-tiny", "qwen3-tiny", "llada-tiny"})
    void logitsAndHookActivationsMatchTheReference(String name) {
        Path folder = fixture(name);
        try (LanguageModel model = LanguageModel.load(folder, Device.cpu());
                SafetensorsFile reference = SafetensorsFile.open(folder.resolve("reference.safetensors"));
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray ids = reference.load(manager, "input_ids");
            Recorder recorder = new Recorder(manager);

            NDArray logits = model.transformer().forward(ids, null, null, null, recorder, HookSite.PROMPT);

            assertThat(maxDiff(logits, reference.load(manager, "logits")))
                    .as(name + " logits")
                    .isLessThan(TOLERANCE);
            assertThat(maxDiff(recorder.seen.get(HookPoints.HOOK_EMBED), reference.load(manager, "hook_embed")))
                    .isLessThan(TOLERANCE);
            for (int l = 0; l < model.config().numLayers(); l++) {
                assertThat(maxDiff(
                                recorder.seen.get(HookPoints.residPost(l)), reference.load(manager, "resid_post." + l)))
                        .as(name + " resid_post " + l)
                        .isLessThan(TOLERANCE);
            }
            assertThat(maxDiff(recorder.seen.get(HookPoints.LN_FINAL), reference.load(manager, "ln_final")))
                    .isLessThan(TOLERANCE);
            if (reference.find("logits_prefix").isPresent()) {
                NDArray prefix = model.transformer().forward(ids.get(new NDIndex(":, :5")));
                assertThat(maxDiff(prefix, reference.load(manager, "logits_prefix")))
                        .isLessThan(TOLERANCE);
            }
        }
    }
}

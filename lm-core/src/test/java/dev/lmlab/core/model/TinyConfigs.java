package dev.lmlab.core.model;

import dev.lmlab.core.checkpoint.ModelConfig;
import java.util.List;

/** Small configs for invariant tests that need no checkpoint. */
final class TinyConfigs {

    private TinyConfigs() {}

    static ModelConfig llama() {
        return new ModelConfig(
                "LlamaForCausalLM",
                ModelConfig.Family.LLAMA,
                50,
                50,
                32,
                2,
                4,
                2,
                8,
                48,
                1e-6,
                10000,
                null,
                false,
                false,
                false,
                true,
                null,
                128,
                1,
                List.of(2),
                0);
    }

    static ModelConfig qwen3() {
        return new ModelConfig(
                "Qwen3ForCausalLM",
                ModelConfig.Family.QWEN3,
                50,
                50,
                32,
                2,
                4,
                2,
                16,
                48,
                1e-6,
                1000000,
                null,
                true,
                false,
                true,
                true,
                null,
                128,
                1,
                List.of(2),
                0);
    }

    static ModelConfig llada() {
        return new ModelConfig(
                "LLaDAModelLM",
                ModelConfig.Family.LLADA,
                50,
                50,
                32,
                2,
                4,
                4,
                8,
                48,
                1e-5,
                10000,
                null,
                false,
                false,
                false,
                false,
                3,
                128,
                1,
                List.of(2),
                0);
    }
}

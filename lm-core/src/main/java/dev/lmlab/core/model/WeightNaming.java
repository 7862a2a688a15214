package dev.lmlab.core.model;

import dev.lmlab.core.checkpoint.ModelConfig;

/**
 * Checkpoint tensor names per family, so the model code reads in one vocabulary (input norm, q, k, v, o, gate,
 * up, down) and each checkpoint keeps its own keys: transformers' {@code model.layers.{L}.self_attn.q_proj} or
 * LLaDA's {@code model.transformer.blocks.{L}.q_proj}.
 */
public interface WeightNaming {

    String embed();

    String inputNorm(int layer);

    String q(int layer);

    String k(int layer);

    String v(int layer);

    String o(int layer);

    String qNorm(int layer);

    String kNorm(int layer);

    String postNorm(int layer);

    String gate(int layer);

    String up(int layer);

    String down(int layer);

    String finalNorm();

    String lmHead();

    static WeightNaming of(ModelConfig config) {
        return config.family() == ModelConfig.Family.LLADA ? new Llada() : new Transformers();
    }

    /** {@code model.layers.{L}...} as Llama, Qwen2 and Qwen3 checkpoints name them. */
    final class Transformers implements WeightNaming {
        private static String layer(int l, String rest) {
            return "model.layers." + l + "." + rest;
        }

        @Override
        public String embed() {
            return "model.embed_tokens.weight";
        }

        @Override
        public String inputNorm(int l) {
            return layer(l, "input_layernorm.weight");
        }

        @Override
        public String q(int l) {
            return layer(l, "self_attn.q_proj");
        }

        @Override
        public String k(int l) {
            return layer(l, "self_attn.k_proj");
        }

        @Override
        public String v(int l) {
            return layer(l, "self_attn.v_proj");
        }

        @Override
        public String o(int l) {
            return layer(l, "self_attn.o_proj");
        }

        @Override
        public String qNorm(int l) {
            return layer(l, "self_attn.q_norm.weight");
        }

        @Override
        public String kNorm(int l) {
            return layer(l, "self_attn.k_norm.weight");
        }

        @Override
        public String postNorm(int l) {
            return layer(l, "post_attention_layernorm.weight");
        }

        @Override
        public String gate(int l) {
            return layer(l, "mlp.gate_proj");
        }

        @Override
        public String up(int l) {
            return layer(l, "mlp.up_proj");
        }

        @Override
        public String down(int l) {
            return layer(l, "mlp.down_proj");
        }

        @Override
        public String finalNorm() {
            return "model.norm.weight";
        }

        @Override
        public String lmHead() {
            return "lm_head.weight";
        }
    }

    /** {@code model.transformer...} as the published LLaDA checkpoints name them. */
    final class Llada implements WeightNaming {
        private static String block(int l, String rest) {
            return "model.transformer.blocks." + l + "." + rest;
        }

        @Override
        public String embed() {
            return "model.transformer.wte.weight";
        }

        @Override
        public String inputNorm(int l) {
            return block(l, "attn_norm.weight");
        }

        @Override
        public String q(int l) {
            return block(l, "q_proj");
        }

        @Override
        public String k(int l) {
            return block(l, "k_proj");
        }

        @Override
        public String v(int l) {
            return block(l, "v_proj");
        }

        @Override
        public String o(int l) {
            return block(l, "attn_out");
        }

        @Override
        public String qNorm(int l) {
            return block(l, "q_norm.weight");
        }

        @Override
        public String kNorm(int l) {
            return block(l, "k_norm.weight");
        }

        @Override
        public String postNorm(int l) {
            return block(l, "ff_norm.weight");
        }

        @Override
        public String gate(int l) {
            return block(l, "ff_proj");
        }

        @Override
        public String up(int l) {
            return block(l, "up_proj");
        }

        @Override
        public String down(int l) {
            return block(l, "ff_out");
        }

        @Override
        public String finalNorm() {
            return "model.transformer.ln_f.weight";
        }

        @Override
        public String lmHead() {
            return "model.transformer.ff_out.weight";
        }
    }
}

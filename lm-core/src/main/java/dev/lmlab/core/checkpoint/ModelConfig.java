package dev.lmlab.core.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's shape and settings, read from a Hugging Face {@code config.json} and normalised across families:
 * Llama, Qwen2 and Qwen3 use the transformers keys, LLaDA its own ({@code d_model}, {@code n_layers}, ...).
 *
 * @param architecture the {@code architectures[0]} name the checkpoint declares
 * @param headDim per-head width K; independent of {@code hiddenSize} for Qwen3
 * @param attentionBias q, k and v projections carry a bias (Qwen2)
 * @param qkNorm per-head RMSNorm on queries and keys before the rotary embedding (Qwen3)
 * @param causal causal self-attention; false for masked-diffusion models, which attend both ways
 * @param embeddingRows rows of the embedding matrix; LLaDA may pad it beyond {@code vocabSize}
 * @param maskTokenId the mask token of a masked-diffusion model, null otherwise
 */
public record ModelConfig(
        String architecture,
        Family family,
        int vocabSize,
        int embeddingRows,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkNorm,
        boolean causal,
        Integer maskTokenId,
        int maxPositions,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId) {

    /** The model families lm-core implements, by the architecture names checkpoints declare. */
    public enum Family {
        LLAMA("LlamaForCausalLM"),
        QWEN2("Qwen2ForCausalLM"),
        QWEN3("Qwen3ForCausalLM"),
        LLADA("LLaDAModelLM");

        private final String architecture;

        Family(String architecture) {
            this.architecture = architecture;
        }

        public String architecture() {
            return architecture;
        }

        static Family of(String architecture) {
            for (Family f : values()) {
                if (f.architecture.equals(architecture)) {
                    return f;
                }
            }
            return null;
        }

        static List<String> supported() {
            List<String> names = new ArrayList<>();
            for (Family f : values()) {
                names.add(f.architecture);
            }
            return names;
        }
    }

    /**
     * Rotary scaling. {@code llama3}: frequencies below the original context are slowed by {@code factor}, with a
     * smooth band between {@code lowFreqFactor} and {@code highFreqFactor}; {@code linear}: positions divided by
     * {@code factor}.
     */
    public record RopeScaling(
            String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public boolean maskedDiffusion() {
        return family == Family.LLADA;
    }

    /** Queries per key/value head (GQA group size). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    public static ModelConfig read(Path configJson) {
        JsonNode c;
        try {
            c = JsonMapper.shared().readTree(Files.readString(configJson));
        } catch (java.io.IOException e) {
            throw new CheckpointException(configJson, "cannot read: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new CheckpointException(configJson, "is not valid JSON: " + e.getOriginalMessage());
        }
        String architecture = c.path("architectures").path(0).asString(null);
        Family family = Family.of(architecture);
        if (family == null) {
            throw new CheckpointException(
                    configJson,
                    "unknown architecture " + c.path("architectures") + "; supported: " + Family.supported());
        }
        Reader r = new Reader(configJson, c);
        ModelConfig config = family == Family.LLADA ? llada(r, architecture) : transformers(r, family, architecture);
        config.validate(configJson);
        return config;
    }

    private static ModelConfig transformers(Reader r, Family family, String architecture) {
        int hidden = r.integer("hidden_size");
        int heads = r.integer("num_attention_heads");
        int kvHeads = r.integerOr("num_key_value_heads", heads);
        int vocab = r.integer("vocab_size");
        JsonNode rope = r.c.has("rope_parameters") ? r.c.get("rope_parameters") : r.c.path("rope_scaling");
        double theta = r.c.has("rope_theta")
                ? r.real("rope_theta")
                : rope.path("rope_theta").asDouble(10000.0);
        return new ModelConfig(
                architecture,
                family,
                vocab,
                vocab,
                hidden,
                r.integer("num_hidden_layers"),
                heads,
                kvHeads,
                r.integerOr("head_dim", hidden / heads),
                r.integer("intermediate_size"),
                r.realOr("rms_norm_eps", 1e-6),
                theta,
                r.ropeScaling(rope),
                r.c.path("tie_word_embeddings").asBoolean(false),
                family == Family.QWEN2 || r.c.path("attention_bias").asBoolean(false),
                family == Family.QWEN3,
                true,
                null,
                r.integerOr("max_position_embeddings", 2048),
                r.optionalInteger("bos_token_id"),
                r.integers("eos_token_id"),
                r.optionalInteger("pad_token_id"));
    }

    private static ModelConfig llada(Reader r, String architecture) {
        r.require("block_type", "llama");
        r.require("layer_norm_type", "rms");
        r.require("activation_type", "silu");
        r.requireFalse("alibi");
        r.requireFalse("attention_layer_norm");
        r.requireFalse("include_bias");
        r.requireFalse("scale_logits");
        r.requireFalse("input_emb_norm");
        int hidden = r.integer("d_model");
        int heads = r.integer("n_heads");
        int kvHeads = r.c.path("n_kv_heads").isNull() || !r.c.has("n_kv_heads") ? heads : r.integer("n_kv_heads");
        int vocab = r.integer("vocab_size");
        return new ModelConfig(
                architecture,
                Family.LLADA,
                vocab,
                r.integerOr("embedding_size", vocab),
                hidden,
                r.integer("n_layers"),
                heads,
                kvHeads,
                hidden / heads,
                r.integer("mlp_hidden_size"),
                r.realOr("rms_norm_eps", 1e-5),
                r.realOr("rope_theta", 10000.0),
                null,
                r.c.path("weight_tying").asBoolean(false),
                r.c.path("include_qkv_bias").asBoolean(r.c.path("include_bias").asBoolean(false)),
                false,
                false,
                r.integer("mask_token_id"),
                r.integerOr("max_sequence_length", 4096),
                r.optionalInteger("bos_token_id"),
                r.integers("eos_token_id"),
                r.optionalInteger("pad_token_id"));
    }

    /**
     * This config as a Hugging Face {@code config.json} of its family, in the widely read transformers-4 style
     * (top-level {@code rope_theta} and {@code rope_scaling}); {@link #read} accepts it back unchanged.
     */
    public tools.jackson.databind.node.ObjectNode toJson() {
        tools.jackson.databind.node.ObjectNode c = JsonMapper.shared().createObjectNode();
        c.putArray("architectures").add(architecture);
        if (family == Family.LLADA) {
            c.put("model_type", "llada");
            c.put("d_model", hiddenSize);
            c.put("n_layers", numLayers);
            c.put("n_heads", numHeads);
            c.put("n_kv_heads", numKvHeads);
            c.put("mlp_hidden_size", intermediateSize);
            c.put("vocab_size", vocabSize);
            c.put("embedding_size", embeddingRows);
            c.put("mask_token_id", maskTokenId);
            c.put("rope_theta", ropeTheta);
            c.put("rms_norm_eps", rmsNormEps);
            c.put("max_sequence_length", maxPositions);
            c.put("weight_tying", tieWordEmbeddings);
            c.put("include_bias", false);
            c.put("include_qkv_bias", attentionBias);
            c.put("block_type", "llama");
            c.put("layer_norm_type", "rms");
            c.put("activation_type", "silu");
            c.put("rope", true);
            c.put("alibi", false);
        } else {
            c.put("model_type", family.name().toLowerCase(java.util.Locale.ROOT));
            c.put("hidden_size", hiddenSize);
            c.put("num_hidden_layers", numLayers);
            c.put("num_attention_heads", numHeads);
            c.put("num_key_value_heads", numKvHeads);
            c.put("head_dim", headDim);
            c.put("intermediate_size", intermediateSize);
            c.put("vocab_size", vocabSize);
            c.put("rms_norm_eps", rmsNormEps);
            c.put("rope_theta", ropeTheta);
            if (ropeScaling != null) {
                tools.jackson.databind.node.ObjectNode r = c.putObject("rope_scaling");
                r.put("rope_type", ropeScaling.type());
                r.put("factor", ropeScaling.factor());
                if (ropeScaling.type().equals("llama3")) {
                    r.put("low_freq_factor", ropeScaling.lowFreqFactor());
                    r.put("high_freq_factor", ropeScaling.highFreqFactor());
                    r.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
                }
            }
            c.put("max_position_embeddings", maxPositions);
            c.put("tie_word_embeddings", tieWordEmbeddings);
            c.put("attention_bias", family == Family.LLAMA && attentionBias);
            c.put("hidden_act", "silu");
            c.put("torch_dtype", "float32");
        }
        if (bosTokenId != null) {
            c.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            c.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            tools.jackson.databind.node.ArrayNode eos = c.putArray("eos_token_id");
            eosTokenIds.forEach(eos::add);
        }
        if (padTokenId != null) {
            c.put("pad_token_id", padTokenId);
        }
        return c;
    }

    private void validate(Path file) {
        if (numHeads % numKvHeads != 0) {
            throw new CheckpointException(
                    file,
                    numHeads + " attention heads cannot be shared by " + numKvHeads
                            + " key/value heads (must divide evenly)");
        }
        if (headDim % 2 != 0) {
            throw new CheckpointException(file, "head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (embeddingRows < vocabSize) {
            throw new CheckpointException(file, "embedding_size " + embeddingRows + " < vocab_size " + vocabSize);
        }
    }

    /** Typed access to config keys with messages that name the key. */
    private record Reader(Path file, JsonNode c) {
        int integer(String key) {
            JsonNode v = c.get(key);
            if (v == null || !v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "key '" + key + "' must be a positive integer, found " + v);
            }
            return v.asInt();
        }

        int integerOr(String key, int fallback) {
            return c.has(key) && !c.get(key).isNull() ? integer(key) : fallback;
        }

        Integer optionalInteger(String key) {
            JsonNode v = c.get(key);
            return v == null || !v.isIntegralNumber() ? null : v.asInt();
        }

        List<Integer> integers(String key) {
            JsonNode v = c.get(key);
            List<Integer> out = new ArrayList<>();
            if (v != null && v.isArray()) {
                v.forEach(x -> out.add(x.asInt()));
            } else if (v != null && v.isIntegralNumber()) {
                out.add(v.asInt());
            }
            return List.copyOf(out);
        }

        double real(String key) {
            JsonNode v = c.get(key);
            if (v == null || !v.isNumber()) {
                throw new CheckpointException(file, "key '" + key + "' must be a number, found " + v);
            }
            return v.asDouble();
        }

        double realOr(String key, double fallback) {
            return c.has(key) ? real(key) : fallback;
        }

        /** A setting lm-core implements only in one form; anything else is refused rather than mis-computed. */
        void require(String key, String supported) {
            JsonNode v = c.get(key);
            if (v != null && !v.isNull() && !supported.equalsIgnoreCase(v.asString(""))) {
                throw new CheckpointException(
                        file, "'" + key + "': " + v + " is not supported (only \"" + supported + "\")");
            }
        }

        void requireFalse(String key) {
            if (c.path(key).asBoolean(false)) {
                throw new CheckpointException(file, "'" + key + "': true is not supported");
            }
        }

        RopeScaling ropeScaling(JsonNode rope) {

            if (rope == null || rope.isMissingNode() || rope.isNull()) {
                return null;
            }
            String type = rope.path("rope_type").asString(rope.path("type").asString("default"));
            return switch (type) {
                case "default" -> null;
                case "linear" -> new RopeScaling("linear", rope.path("factor").asDouble(1.0), 0, 0, 0);
                case "llama3" ->
                    new RopeScaling(
                            "llama3",
                            rope.path("factor").asDouble(),
                            rope.path("low_freq_factor").asDouble(),
                            rope.path("high_freq_factor").asDouble(),
                            rope.path("original_max_position_embeddings").asInt());
                default ->
                    throw new CheckpointException(
                            file, "rope scaling type '" + type + "' is not supported (default, linear, llama3)");
            };
        }
    }
}

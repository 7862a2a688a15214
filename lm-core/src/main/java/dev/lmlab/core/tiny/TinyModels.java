package dev.lmlab.core.tiny;

import ai.djl.ndarray.NDManager;
import dev.lmlab.core.checkpoint.CheckpointWriter;
import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.model.ModelWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes random-initialised checkpoint folders of any supported architecture and size, with a character-level
 * tokenizer ({@code tokenizer.json} the Hugging Face tokenizers library reads, a ChatML chat template). Tests,
 * the demo and the benchmarks use these; nothing ever downloads weights.
 */
public final class TinyModels {

    /** Special tokens first, then printable ASCII and newline: one token per character. */
    public static final List<String> SPECIALS =
            List.of("<|pad|>", "<|bos|>", "<|eos|>", "<|mask|>", "<|im_start|>", "<|im_end|>", "<|unk|>");

    public static final long PAD = 0;
    public static final long BOS = 1;
    public static final long EOS = 2;
    public static final long MASK = 3;

    /** The vocabulary size of the character tokenizer. */
    public static final int VOCAB = SPECIALS.size() + (126 - 32 + 1) + 1;

    public static final String CHAT_TEMPLATE = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
            + "{{ message['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
            + "{% endif %}";

    private TinyModels() {}

    /**
     * A shape for a model of the given family.
     *
     * @param headDim per-head width (hidden / heads unless Qwen3 wants otherwise)
     */
    public record Size(
            int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate, int maxPositions) {

        /** About 50k parameters: for tests. */
        public static final Size TINY = new Size(64, 2, 4, 2, 16, 160, 256);

        /** About 100M parameters with the character vocabulary: for benchmarks (12 × 768, Llama-shaped MLP). */
        public static final Size BENCH_100M = new Size(768, 12, 12, 12, 64, 3072, 2048);
    }

    public static ModelConfig config(ModelConfig.Family family, Size s) {
        boolean llada = family == ModelConfig.Family.LLADA;
        return new ModelConfig(
                family.architecture(),
                family,
                VOCAB,
                VOCAB,
                s.hidden(),
                s.layers(),
                s.heads(),
                s.kvHeads(),
                s.headDim(),
                s.intermediate(),
                llada ? 1e-5 : 1e-6,
                llada ? 10000 : family == ModelConfig.Family.LLAMA ? 10000 : 1000000,
                null,
                family == ModelConfig.Family.QWEN2,
                family == ModelConfig.Family.QWEN2,
                family == ModelConfig.Family.QWEN3,
                !llada,
                llada ? (int) MASK : null,
                s.maxPositions(),
                (int) BOS,
                List.of((int) EOS),
                (int) PAD);
    }

    /** Writes a checkpoint folder with weights drawn from N(0, std²) under {@code seed}. */
    public static ModelConfig write(Path folder, ModelConfig.Family family, Size size, long seed, double std) {
        ModelConfig config = config(family, size);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            ModelWeights weights = ModelWeights.random(config, manager, seed, std);
            Path tokenizerFiles = Files.createTempDirectory("lmlab-tokenizer");
            try {
                writeTokenizer(tokenizerFiles);
                CheckpointWriter.save(config, weights.named(), tokenizerFiles, folder);
            } finally {
                for (String name : CheckpointWriter.COPIED) {
                    Files.deleteIfExists(tokenizerFiles.resolve(name));
                }
                Files.deleteIfExists(tokenizerFiles);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    /** The character-level tokenizer, its config with the chat template, and generation defaults. */
    public static void writeTokenizer(Path folder) throws IOException {
        JsonMapper json = JsonMapper.shared();
        ObjectNode tokenizer = json.createObjectNode();
        tokenizer.put("version", "1.0");
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        ArrayNode added = tokenizer.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", SPECIALS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        tokenizer.putNull("normalizer");
        ObjectNode pre = tokenizer.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", "[\\s\\S]");
        pre.put("behavior", "Isolated");
        pre.put("invert", false);
        tokenizer.putNull("post_processor");
        tokenizer.putObject("decoder").put("type", "Fuse");
        ObjectNode model = tokenizer.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < SPECIALS.size(); i++) {
            vocab.put(SPECIALS.get(i), i);
        }
        int id = SPECIALS.size();
        for (char c = 32; c <= 126; c++) {
            vocab.put(String.valueOf(c), id++);
        }
        vocab.put("\n", id);
        model.put("unk_token", "<|unk|>");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("tokenizer.json"), json.writeValueAsString(tokenizer));

        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", "<|bos|>");
        config.put("eos_token", "<|eos|>");
        config.put("pad_token", "<|pad|>");
        config.put("unk_token", "<|unk|>");
        config.put("mask_token", "<|mask|>");
        config.put("chat_template", CHAT_TEMPLATE);
        Files.writeString(
                folder.resolve("tokenizer_config.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(config));

        ObjectNode generation = json.createObjectNode();
        generation.put("bos_token_id", BOS);
        generation.put("eos_token_id", EOS);
        generation.put("pad_token_id", PAD);
        Files.writeString(
                folder.resolve("generation_config.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(generation));
    }
}

package dev.lmlab.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.lmlab.core.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A checkpoint's tokenizer: {@code tokenizer.json} through DJL's binding of the Hugging Face tokenizers library
 * (offline, native code inside the jar), plus what {@code tokenizer_config.json} adds: which tokens are bos, eos,
 * pad, mask, and the chat template.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String TOKENIZER = "tokenizer.json";
    public static final String CONFIG = "tokenizer_config.json";

    private final HuggingFaceTokenizer tokenizer;
    private final SpecialTokens specials;
    private final ChatTemplate chatTemplate;
    private final Set<Long> specialIds;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, SpecialTokens specials, ChatTemplate chatTemplate) {
        this.tokenizer = tokenizer;
        this.specials = specials;
        this.chatTemplate = chatTemplate;
        this.specialIds = Set.copyOf(specials.all().values());
    }

    /**
     * Opens the tokenizer of a checkpoint folder. {@code eosFromModel} are eos ids the model's config or
     * generation config declare beyond the tokenizer's own.
     */
    public static TextTokenizer open(Path folder, List<Integer> eosFromModel) {
        Path json = folder.resolve(TOKENIZER);
        if (!Files.exists(json)) {
            throw new CheckpointException(folder, "has no " + TOKENIZER);
        }
        JsonNode tokenizerJson = readJson(json);
        Path configPath = folder.resolve(CONFIG);
        JsonNode config = Files.exists(configPath)
                ? readJson(configPath)
                : JsonMapper.shared().createObjectNode();
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false"));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(json, "the tokenizers library refused it: " + e.getMessage(), e);
        }
        Map<String, Long> added = new HashMap<>();
        for (JsonNode t : tokenizerJson.path("added_tokens")) {
            if (t.path("special").asBoolean(false)) {
                added.put(t.path("content").asString(), t.path("id").asLong());
            }
        }
        String bos = tokenText(config.get("bos_token"));
        String eos = tokenText(config.get("eos_token"));
        String pad = tokenText(config.get("pad_token"));
        String mask = tokenText(config.get("mask_token"));
        String unk = tokenText(config.get("unk_token"));
        Set<Long> eosIds = new LinkedHashSet<>();
        Long eosId = id(added, hf, eos);
        if (eosId != null) {
            eosIds.add(eosId);
        }
        eosFromModel.forEach(i -> eosIds.add(i.longValue()));
        SpecialTokens specials = new SpecialTokens(
                bos,
                id(added, hf, bos),
                eos,
                eosId,
                pad,
                id(added, hf, pad),
                mask,
                id(added, hf, mask),
                unk,
                id(added, hf, unk),
                Set.copyOf(eosIds),
                Map.copyOf(added));
        String template = chatTemplateSource(configPath, config.get("chat_template"));
        ChatTemplate chat = template == null ? null : new ChatTemplate(template, specials.templateBindings());
        return new TextTokenizer(hf, specials, chat);
    }

    /** Token ids of {@code text}, without special tokens (templates and callers add those explicitly). */
    public long[] encode(String text) {
        return encode(text, false);
    }

    public long[] encode(String text, boolean addSpecialTokens) {
        Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
        return encoding.getIds();
    }

    /**
     * A plain-text prompt as every service reads one: with the special tokens the tokenizer adds itself (a bos,
     * say). Training encodes its prompts with this too, so a trained model sees the tokens it is served with.
     */
    public long[] encodePrompt(String text) {
        return encode(text, true);
    }

    /** A conversation up to the assistant's turn: the chat template with the generation prompt, nothing added. */
    public long[] encodeChat(List<ChatMessage> turns) {
        return encode(applyChatTemplate(turns, true), false);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    public SpecialTokens specials() {
        return specials;
    }

    public boolean isSpecial(long id) {
        return specialIds.contains(id);
    }

    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** Renders a conversation with the checkpoint's chat template; 'no template' is an error callers can show. */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (chatTemplate == null) {
            throw new ChatTemplate.ChatTemplateException(
                    "this tokenizer has no chat_template in " + CONFIG + "; send a plain prompt instead");
        }
        return chatTemplate.render(messages, addGenerationPrompt);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static Long id(Map<String, Long> added, HuggingFaceTokenizer hf, String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        Long special = added.get(token);
        if (special != null) {
            return special;
        }
        long[] ids = hf.encode(token, false, false).getIds();
        return ids.length == 1 ? ids[0] : null;
    }

    /** {@code "<s>"} or {@code {"content": "<s>", ...}}, as tokenizer configs write special tokens. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isObject() ? node.path("content").asString(null) : node.asString(null);
    }

    /** A template string, or the one named "default" among several. */
    private static String chatTemplateSource(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isArray()) {
            for (JsonNode t : node) {
                if ("default".equals(t.path("name").asString(null))) {
                    return t.path("template").asString();
                }
            }
            throw new CheckpointException(file, "chat_template lists templates but none is named 'default'");
        }
        throw new CheckpointException(file, "chat_template must be a string or a list of named templates");
    }

    private static JsonNode readJson(Path file) {
        try {
            return JsonMapper.shared().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new CheckpointException(file, "is not valid JSON: " + e.getOriginalMessage());
        }
    }
}

package dev.lmlab.core.model;

import dev.lmlab.core.checkpoint.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Defaults a checkpoint ships for generation ({@code generation_config.json}); every field may be absent. For
 * masked-diffusion models the same file may carry {@code steps}, {@code gen_length}, {@code block_length} and
 * the like, read through {@link #raw()}.
 */
public record GenerationConfig(
        Double temperature,
        Double topP,
        Integer topK,
        Integer maxNewTokens,
        Boolean doSample,
        Double repetitionPenalty,
        List<Integer> eosTokenIds,
        JsonNode raw) {

    public static final GenerationConfig NONE = new GenerationConfig(
            null, null, null, null, null, null, List.of(), JsonMapper.shared().createObjectNode());

    public static GenerationConfig read(Path folder) {
        Path file = folder.resolve("generation_config.json");
        if (!Files.exists(file)) {
            return NONE;
        }
        JsonNode c;
        try {
            c = JsonMapper.shared().readTree(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new CheckpointException(file, "is not valid JSON: " + e.getOriginalMessage());
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e.isIntegralNumber()) {
            eos.add(e.asInt());
        }
        return new GenerationConfig(
                c.has("temperature") ? c.get("temperature").asDouble() : null,
                c.has("top_p") ? c.get("top_p").asDouble() : null,
                c.has("top_k") ? c.get("top_k").asInt() : null,
                c.has("max_new_tokens") ? c.get("max_new_tokens").asInt() : null,
                c.has("do_sample") ? c.get("do_sample").asBoolean() : null,
                c.has("repetition_penalty") ? c.get("repetition_penalty").asDouble() : null,
                List.copyOf(eos),
                c);
    }
}

package dev.lmlab.eval.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A benchmark's definition, as imported (JSON or YAML) and stored with its items. See docs/eval.md for a full
 * example.
 *
 * @param name lower-case letters, digits, '-', '_' and '.'; with {@code version} it identifies the benchmark
 * @param version any short label; the next integer after the latest version when absent
 * @param protocol {@code single_turn} (one prompt, one response per trial) or {@code implicit_memory} (a
 *     learning/priming → interference → test session in one conversation, first-attempt scoring)
 * @param api {@code completions} (raw prompt) or {@code chat}; single-turn default completions, sessions are chat
 * @param promptTemplate single-turn prompt with {@code {{field}}} placeholders filled from each item ({@code
 *     {{choices|lettered}}} writes a list as "A. …" lines)
 * @param systemPrompt a system message for chat (single-turn and sessions)
 * @param grader the default grader spec; an item's own {@code grader} field overrides it
 * @param trials default trials per item (k); a run may ask for another number
 * @param temperature sampling temperature; when absent 0 for one trial, 1 for several
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BenchmarkSpec(
        String name,
        String version,
        String description,
        String protocol,
        String api,
        String promptTemplate,
        String systemPrompt,
        JsonNode grader,
        Integer trials,
        Integer maxTokens,
        Double temperature,
        Integer steps,
        Integer blockLength,
        List<String> stop,
        List<String> tags) {

    public static final String SINGLE_TURN = "single_turn";
    public static final String IMPLICIT_MEMORY = "implicit_memory";

    public BenchmarkSpec {
        protocol = protocol == null ? SINGLE_TURN : protocol;
        api = api == null ? (protocol.equals(SINGLE_TURN) && systemPrompt == null ? "completions" : "chat") : api;
        trials = trials == null ? 1 : trials;
        maxTokens = maxTokens == null ? 32 : maxTokens;
        stop = stop == null ? List.of() : List.copyOf(stop);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public BenchmarkSpec withVersion(String v) {
        return new BenchmarkSpec(
                name,
                v,
                description,
                protocol,
                api,
                promptTemplate,
                systemPrompt,
                grader,
                trials,
                maxTokens,
                temperature,
                steps,
                blockLength,
                stop,
                tags);
    }

    public String id() {
        return name + "@" + version;
    }

    public boolean chat() {
        return api.equals("chat");
    }
}

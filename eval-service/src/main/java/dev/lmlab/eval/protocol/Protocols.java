package dev.lmlab.eval.protocol;

import dev.lmlab.eval.benchmark.BenchmarkSpec;
import dev.lmlab.eval.benchmark.PromptTemplate;
import java.util.List;

/** The protocol a benchmark spec names. */
public final class Protocols {

    public static final List<String> NAMES = List.of(BenchmarkSpec.SINGLE_TURN, BenchmarkSpec.IMPLICIT_MEMORY);

    private Protocols() {}

    /** @throws IllegalArgumentException when the spec's protocol, api or template is unusable */
    public static Protocol of(BenchmarkSpec spec) {
        if (!List.of("completions", "chat").contains(spec.api())) {
            throw new IllegalArgumentException("api is 'completions' or 'chat', not '" + spec.api() + "'");
        }
        return switch (spec.protocol()) {
            case BenchmarkSpec.SINGLE_TURN -> {
                if (!spec.chat() && spec.systemPrompt() != null) {
                    throw new IllegalArgumentException("a system_prompt needs api 'chat'");
                }
                yield new SingleTurn(
                        new PromptTemplate(spec.promptTemplate() == null ? "{{prompt}}" : spec.promptTemplate()),
                        spec.systemPrompt(),
                        spec.chat());
            }
            case BenchmarkSpec.IMPLICIT_MEMORY -> {
                if (!spec.chat()) {
                    throw new IllegalArgumentException("the implicit_memory protocol is a conversation: api 'chat'");
                }
                yield new ImplicitMemorySession(spec.systemPrompt());
            }
            default ->
                throw new IllegalArgumentException("protocol is one of " + NAMES + ", not '" + spec.protocol() + "'");
        };
    }
}

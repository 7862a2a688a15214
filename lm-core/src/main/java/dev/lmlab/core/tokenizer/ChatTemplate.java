package dev.lmlab.core.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template rendered with a real Jinja engine (Jinjava), configured the way transformers
 * renders them: {@code trim_blocks} and {@code lstrip_blocks} on, {@code raise_exception} available, and the
 * tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...) in scope.
 */
public final class ChatTemplate {

    private final String source;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinja;

    public ChatTemplate(String source, Map<String, Object> specialTokens) {
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.jinja = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .build());
        jinja.getGlobalContext()
                .registerFunction(new ELFunctionDefinition(
                        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    public String source() {
        return source;
    }

    /** Renders the conversation; {@code addGenerationPrompt} opens the assistant's turn for generation. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put(
                "messages", messages.stream().map(ChatMessage::asTemplateValue).toList());
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RAISED.remove();
        RenderResult result = jinja.renderForResult(source, bindings);
        String raised = RAISED.get();
        RAISED.remove();
        if (raised != null) {
            throw new ChatTemplateException("chat template refused the conversation: " + raised);
        }
        if (!result.getErrors().isEmpty()) {
            String problems = result.getErrors().stream()
                    .map(e -> e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : ""))
                    .reduce((a, b) -> a + "; " + b)
                    .orElse("");
            throw new ChatTemplateException("chat template failed: " + problems);
        }
        return result.getOutput();
    }

    /** Called by templates as {@code raise_exception('...')}, e.g. when roles do not alternate. */
    public static String raiseException(String message) {
        // Jinjava wraps exceptions thrown by functions; keep the template's own words for the caller
        RAISED.set(message);
        throw new ChatTemplateException(message);
    }

    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    /** A template that failed or refused the messages. */
    public static final class ChatTemplateException extends RuntimeException {
        public ChatTemplateException(String message) {
            super(message);
        }
    }
}

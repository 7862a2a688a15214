package dev.lmlab.core.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** One turn of a chat: {@code system}, {@code user}, {@code assistant} or {@code tool}, and its text. */
public record ChatMessage(String role, String content) {

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** The shape chat templates expect: {@code {"role": ..., "content": ...}}. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}

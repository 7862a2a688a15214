package dev.lmlab.core.hooks;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which sequence positions an intervention touches: {@code all}, {@code prompt}, {@code generated}, or a list of
 * absolute positions. In JSON: {@code "all"}, {@code "prompt"}, {@code "generated"} or {@code [3, 7, 8]}.
 */
public record Positions(Kind kind, int[] list) {

    public enum Kind {
        ALL,
        PROMPT,
        GENERATED,
        LIST
    }

    public static final Positions ALL = new Positions(Kind.ALL, null);
    public static final Positions PROMPT = new Positions(Kind.PROMPT, null);
    public static final Positions GENERATED = new Positions(Kind.GENERATED, null);

    public static Positions of(int... positions) {
        return new Positions(Kind.LIST, positions.clone());
    }

    @JsonCreator
    public static Positions fromJson(Object value) {
        if (value == null) {
            return ALL;
        }
        if (value instanceof String s) {
            try {
                Kind kind = Kind.valueOf(s.toUpperCase(Locale.ROOT));
                if (kind != Kind.LIST) {
                    return new Positions(kind, null);
                }
            } catch (IllegalArgumentException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("positions must be \"all\", \"prompt\", \"generated\" or a list of"
                    + " positions, got \"" + s + "\"");
        }
        if (value instanceof java.util.List<?> items) {
            int[] list = new int[items.size()];
            for (int i = 0; i < list.length; i++) {
                if (!(items.get(i) instanceof Number n) || n.intValue() < 0) {
                    throw new IllegalArgumentException("positions must be non-negative integers, got " + items);
                }
                list[i] = n.intValue();
            }
            return new Positions(Kind.LIST, list);
        }
        throw new IllegalArgumentException("positions must be a string or a list, got " + value);
    }

    @JsonValue
    public Object toJson() {
        return kind == Kind.LIST ? list : kind.name().toLowerCase(Locale.ROOT);
    }

    /** Whether absolute position {@code position} of a row whose prompt is {@code promptLength} long is covered. */
    public boolean covers(int position, int promptLength) {
        return switch (kind) {
            case ALL -> true;
            case PROMPT -> position < promptLength;
            case GENERATED -> position >= promptLength;
            case LIST -> Arrays.stream(list).anyMatch(p -> p == position);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Positions p && kind == p.kind && Arrays.equals(list, p.list);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(list);
    }
}

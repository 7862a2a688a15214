package dev.lmlab.gateway.apikey;

import java.util.Locale;

/** What a key may do. Each scope includes the ones below it: admin ⊃ write ⊃ read. */
public enum Scope {
    READ,
    WRITE,
    ADMIN;

    public boolean includes(Scope other) {
        return ordinal() >= other.ordinal();
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scope '" + value + "' (read, write, admin)");
        }
    }
}

package dev.lmlab.interp.vectors;

/**
 * Splits a steering-vector expression into tokens on demand, so that errors come out in the order they appear in
 * the text. Numbers: {@code 1}, {@code 1.5}, {@code .5}, {@code 2e-3}, {@code 1E+2}. Names: {@code
 * [A-Za-z_][A-Za-z0-9_.]*}.
 */
final class ExpressionLexer {

    enum Kind {
        NUMBER,
        NAME,
        PLUS,
        MINUS,
        STAR,
        SLASH,
        LEFT_PAREN,
        RIGHT_PAREN,
        END
    }

    record Token(Kind kind, String text, double number, int position) {

        /** How the token is named in an error message. */
        String describe() {
            return kind == Kind.END ? "end of expression" : "'" + text + "'";
        }
    }

    private final String text;
    private int cursor;
    private Token lookahead;

    ExpressionLexer(String text) {
        this.text = text;
    }

    Token peek() {
        if (lookahead == null) {
            lookahead = scan();
        }
        return lookahead;
    }

    Token next() {
        Token token = peek();
        lookahead = null;
        return token;
    }

    ExpressionException error(String problem, int position) {
        return new ExpressionException(problem, text, position);
    }

    private Token scan() {
        while (cursor < text.length() && Character.isWhitespace(text.charAt(cursor))) {
            cursor++;
        }
        if (cursor == text.length()) {
            return new Token(Kind.END, "", 0, cursor);
        }

        int start = cursor;
        char c = text.charAt(cursor);
        if (isDigit(c) || (c == '.' && isDigit(charAt(cursor + 1)))) {
            return number(start);
        }
        if (isNameStart(c)) {
            while (isNamePart(charAt(cursor))) {
                cursor++;
            }
            return new Token(Kind.NAME, text.substring(start, cursor), 0, start);
        }
        Kind kind = switch (c) {
            case '+' -> Kind.PLUS;
            case '-' -> Kind.MINUS;
            case '*' -> Kind.STAR;
            case '/' -> Kind.SLASH;
            case '(' -> Kind.LEFT_PAREN;
            case ')' -> Kind.RIGHT_PAREN;
            default -> throw error("unexpected character " + describe(c), start);
        };
        cursor++;
        return new Token(kind, String.valueOf(c), 0, start);
    }

    private Token number(int start) {
        boolean wellFormed = digits();
        if (skip('.')) {
            wellFormed = digits(); // a point needs digits after it: "1." is refused
        }
        if (skip('e') || skip('E')) {
            if (!skip('+')) {
                skip('-');
            }
            wellFormed &= digits();
        }

        // "1.2.3", "1.", "2e" and "3abc" are one malformed number, not a number followed by something else
        if (!wellFormed || isNamePart(charAt(cursor))) {
            while (isNamePart(charAt(cursor))) {
                cursor++;
            }
            throw error("malformed number '" + text.substring(start, cursor) + "'", start);
        }

        String literal = text.substring(start, cursor);
        double value = Double.parseDouble(literal);
        if (!Double.isFinite(value)) {
            throw error("number '" + literal + "' is out of range", start);
        }
        return new Token(Kind.NUMBER, literal, value, start);
    }

    /** Consumes a run of digits; says whether there was at least one. */
    private boolean digits() {
        int start = cursor;
        while (isDigit(charAt(cursor))) {
            cursor++;
        }
        return cursor > start;
    }

    private boolean skip(char expected) {
        if (charAt(cursor) == expected) {
            cursor++;
            return true;
        }
        return false;
    }

    /** The character at {@code index}, or NUL past the end so look-ahead needs no bounds checks. */
    private char charAt(int index) {
        return index < text.length() ? text.charAt(index) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c) || c == '.';
    }

    private static String describe(char c) {
        return Character.isISOControl(c) || Character.isWhitespace(c)
                ? String.format("U+%04X", (int) c)
                : "'" + c + "'";
    }
}

package dev.lmlab.interp.vectors;

/**
 * A steering-vector expression that cannot be parsed or evaluated. The message names the problem, the 0-based
 * character position, and quotes the expression with a caret under that position.
 */
public final class ExpressionException extends IllegalArgumentException {

    /** Characters shown on each side of the caret; a 2000-character expression would bury the problem. */
    private static final int WINDOW = 40;

    private final int position;

    ExpressionException(String problem, String text, int position) {
        super(problem + " at " + position + ":\n" + quote(text, position));
        this.position = position;
    }

    /** The 0-based character index in the expression text where the problem was found. */
    public int position() {
        return position;
    }

    private static String quote(String text, int position) {
        int from = Math.max(0, position - WINDOW);
        int to = Math.min(text.length(), position + WINDOW);
        String before = from > 0 ? "..." : "";
        String after = to < text.length() ? "..." : "";

        // tabs and newlines would push the caret off its character, so each is shown as one space
        StringBuilder shown = new StringBuilder(before);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            shown.append(Character.isWhitespace(c) || Character.isISOControl(c) ? ' ' : c);
        }
        shown.append(after);

        return "  " + shown + "\n  " + " ".repeat(before.length() + position - from) + "^";
    }
}

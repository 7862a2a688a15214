package dev.lmlab.launcher;

import java.io.PrintStream;
import java.util.Locale;

/** Terminal output: colours when a person is watching, plain text in logs and CI. */
public final class Console {

    private final PrintStream out;
    private final boolean color;
    private final boolean interactive;

    Console(PrintStream out, boolean interactive, boolean color) {
        this.out = out;
        this.interactive = interactive;
        this.color = color;
    }

    static Console system() {
        boolean tty = System.console() != null;
        boolean color = tty && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
        return new Console(System.out, tty, color);
    }

    public void title(String text) {
        out.println();
        out.println(bold(text));
        out.println(dim("─".repeat(Math.min(100, text.length()))));
    }

    public void stage(int index, int total, String name) {
        out.println();
        out.println(bold(String.format(Locale.ROOT, "[%d/%d] %s", index, total, name)));
    }

    public void line(String text) {
        out.println("      " + text);
    }

    public void ok(String text) {
        out.println("      " + green("✓") + " " + text);
    }

    public void warn(String text) {
        out.println("      " + yellow("!") + " " + text);
    }

    public void fail(String text) {
        out.println("      " + red("✗") + " " + text);
    }

    public void raw(String text) {
        out.println(text);
    }

    /**
     * Redraws one status line in place on a terminal; elsewhere prints it only when {@code important} (so CI logs
     * get milestones, not hundreds of frames).
     */
    public void status(String text, boolean important) {
        if (interactive) {
            out.print("\r\033[2K      " + text);
            out.flush();
        } else if (important) {
            out.println("      " + text);
        }
    }

    /** Ends an in-place status line. */
    public void endStatus() {
        if (interactive) {
            out.println();
        }
    }

    public static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "█".repeat(filled) + "░".repeat(width - filled);
    }

    public String bold(String s) {
        return color ? "\033[1m" + s + "\033[0m" : s;
    }

    public String dim(String s) {
        return color ? "\033[2m" + s + "\033[0m" : s;
    }

    public String green(String s) {
        return color ? "\033[32m" + s + "\033[0m" : s;
    }

    public String yellow(String s) {
        return color ? "\033[33m" + s + "\033[0m" : s;
    }

    public String red(String s) {
        return color ? "\033[31m" + s + "\033[0m" : s;
    }
}

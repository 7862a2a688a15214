package dev.lmlab.eval.grading;

import java.text.Normalizer;
import java.util.Locale;

/** How a response is compared with an item's reference answer. */
public enum AnswerMatch {
    /** Equal after trimming surrounding whitespace. */
    EXACT,
    /** Equal after Unicode normalisation, lower-casing, dropping punctuation and collapsing whitespace. */
    NORMALIZED,
    /** The response, trimmed, starts with the answer (for models that keep talking after answering). */
    PREFIX;

    public boolean matches(String response, String answer) {
        return switch (this) {
            case EXACT -> response.strip().equals(answer.strip());
            case NORMALIZED -> normalize(response).equals(normalize(answer));
            case PREFIX -> response.strip().startsWith(answer.strip());
        };
    }

    static String normalize(String s) {
        String folded = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return folded.replaceAll("[\\p{Punct}]", " ").replaceAll("\\s+", " ").strip();
    }
}

package dev.lmlab.eval.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A run report as Markdown tables, for a person or a notebook; the JSON report is the complete one. */
public final class MarkdownReport {

    private MarkdownReport() {}

    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> r) {
        StringBuilder md = new StringBuilder();
        md.append("# ")
                .append(r.get("benchmark"))
                .append(" on ")
                .append(r.get("target"))
                .append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Run `%s`: %s of %s items scored, %s trials per item, %s trials graded, %s errors, %s "
                        + "judge errors.%n%n",
                r.get("run_id"),
                r.get("items_scored"),
                r.get("items_total"),
                r.get("trials_per_item"),
                r.get("trials_graded"),
                r.get("errors"),
                r.get("judge_errors")));
        md.append("| metric | value | 95% CI |\n|---|---|---|\n");
        md.append(row("mean score", r.get("mean_score"), r.get("mean_score_ci95")));
        md.append(row("accuracy", r.get("accuracy"), r.get("accuracy_ci95")));
        md.append('\n');
        Map<String, Double> passAt = (Map<String, Double>) r.get("pass_at_k");
        Map<String, Double> passHat = (Map<String, Double>) r.get("pass_hat_k");
        if (passAt != null && !passAt.isEmpty()) {
            md.append("| k | pass@k | pass^k |\n|---|---|---|\n");
            passAt.forEach((k, v) -> md.append("| ")
                    .append(k)
                    .append(" | ")
                    .append(number(v))
                    .append(" | ")
                    .append(number(passHat.get(k)))
                    .append(" |\n"));
            md.append('\n');
        }
        Map<String, Object> tags = (Map<String, Object>) r.get("by_tag");
        if (tags != null && !tags.isEmpty()) {
            md.append("| tag | items | mean score | 95% CI | accuracy |\n|---|---|---|---|---|\n");
            tags.forEach((tag, v) -> {
                Map<String, Object> s = (Map<String, Object>) v;
                md.append("| ")
                        .append(tag)
                        .append(" | ")
                        .append(s.get("items"))
                        .append(" | ")
                        .append(number(s.get("mean_score")))
                        .append(" | ")
                        .append(interval(s.get("mean_score_ci95")))
                        .append(" | ")
                        .append(number(s.get("accuracy")))
                        .append(" |\n");
            });
            md.append('\n');
        }
        Map<String, Object> memory = (Map<String, Object>) r.get("implicit_memory");
        if (memory != null) {
            md.append("## Implicit memory (first-attempt scores)\n\n| group | items | score | 95% CI "
                    + "|\n|---|---|---|---|\n");
            md.append(group("overall", (Map<String, Object>) memory.get("overall")));
            ((Map<String, Object>) memory.get("by_construct"))
                    .forEach((c, s) -> md.append(group(c, (Map<String, Object>) s)));
            ((Map<String, Object>) memory.get("by_polarity"))
                    .forEach((p, s) -> md.append(group(p, (Map<String, Object>) s)));
            Map<String, Object> effect = (Map<String, Object>) memory.get("priming_effect");
            md.append(String.format(
                    Locale.ROOT,
                    "%nPriming effect (experimental − control, %s pairs): %s, 95%% CI %s%n",
                    effect.get("pairs"),
                    number(effect.get("effect")),
                    interval(effect.get("effect_ci95"))));
        }
        return md.toString();
    }

    private static String group(String name, Map<String, Object> s) {
        return "| " + name + " | " + s.get("items") + " | " + number(s.get("mean_score")) + " | "
                + interval(s.get("mean_score_ci95")) + " |\n";
    }

    private static String row(String name, Object value, Object ci) {
        return "| " + name + " | " + number(value) + " | " + interval(ci) + " |\n";
    }

    public static String number(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.3f", n.doubleValue()) : "–";
    }

    static String interval(Object ci) {
        if (ci instanceof double[] d) {
            return "[" + number(d[0]) + ", " + number(d[1]) + "]";
        }
        if (ci instanceof List<?> l && l.size() == 2) {
            return "[" + number(l.get(0)) + ", " + number(l.get(1)) + "]";
        }
        return "–";
    }
}

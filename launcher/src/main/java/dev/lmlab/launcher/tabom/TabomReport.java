package dev.lmlab.launcher.tabom;

import dev.lmlab.launcher.Console;
import dev.lmlab.platform.plot.LineChart;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns {@link TabomResults} into what people read: a table in the terminal, and a Markdown report with the loss
 * curves and pass@k curves as a PNG, the statistics behind each claim, and a plain verdict on each of TABOM's
 * claims at this scale.
 */
public final class TabomReport {

    static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("nelbo_sft", "NELBO-SFT (ground truth)");
        LABELS.put("trajectory_nelbo", "trajectory-NELBO (λ = 0)");
        LABELS.put("tabom", "TABOM (λ = 1, τ = 1)");
    }

    private final TabomResults r;

    public TabomReport(TabomResults results) {
        this.r = results;
    }

    Stats stat(String method, ToDoubleFunction<TabomResults.SeedResult> f) {
        return Stats.of(r.methods.get(method).stream().mapToDouble(f).toArray());
    }

    Stats passAt(String method, boolean domainB, int k) {
        return stat(method, s -> (domainB ? s.passAtKB() : s.passAtKA())[k - 1]);
    }

    /** The comparison table, one row per method and the base. */
    List<String[]> rows() {
        int n = r.budget.samples();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "model", "B accuracy (greedy)", "B pass@1", "B pass@" + n, "A accuracy (retention)", "A pass@" + n
        });
        rows.add(new String[] {
            "base (pretrained on A)",
            fmt(r.baseGreedyB),
            fmt(r.basePassAtKB[0]),
            fmt(r.basePassAtKB[n - 1]),
            fmt(r.baseGreedyA),
            fmt(r.basePassAtKA[n - 1])
        });
        for (String m : r.methods.keySet()) {
            rows.add(new String[] {
                LABELS.get(m),
                stat(m, TabomResults.SeedResult::greedyB).toString(),
                passAt(m, true, 1).toString(),
                passAt(m, true, n).toString(),
                stat(m, TabomResults.SeedResult::greedyA).toString(),
                passAt(m, false, n).toString()
            });
        }
        return rows;
    }

    public void print(Console console) {
        List<String[]> rows = rows();
        int[] widths = new int[rows.get(0).length];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row[i]));
            }
            console.line(line.toString().stripTrailing());
        }
        verdicts().forEach(v -> console.line("  " + v));
    }

    /** One sentence per claim, from the intervals alone. */
    List<String> verdicts() {
        int n = r.budget.samples();
        List<String> out = new ArrayList<>();
        out.add(verdict("Gain on the new domain (B greedy accuracy)", s -> s.greedyB()));
        out.add(verdict("Wider knowledge boundary (B pass@" + n + ")", s -> s.passAtKB()[n - 1]));
        out.add(verdict("Less forgetting (A greedy accuracy after post-training)", s -> s.greedyA()));
        return out;
    }

    private String verdict(String claim, ToDoubleFunction<TabomResults.SeedResult> f) {
        Stats tabom = stat("tabom", f);
        StringBuilder line = new StringBuilder(claim + ": TABOM " + tabom);
        for (String other : List.of("nelbo_sft", "trajectory_nelbo")) {
            Stats them = stat(other, f);
            Stats diff = Stats.paired(values("tabom", f), values(other, f));
            line.append(other.equals("nelbo_sft") ? " vs NELBO-SFT " : "; vs trajectory-NELBO ")
                    .append(them)
                    .append(" (")
                    .append(compare(tabom, them))
                    .append("; paired by seed ")
                    .append(diff.signed())
                    .append(diff.excludesZero() ? (diff.mean() > 0 ? ", held" : ", reversed") : ", not shown")
                    .append(')');
        }
        return line.append('.').toString();
    }

    private double[] values(String method, ToDoubleFunction<TabomResults.SeedResult> f) {
        return r.methods.get(method).stream().mapToDouble(f).toArray();
    }

    static String compare(Stats a, Stats b) {
        if (a.above(b)) {
            return "held: intervals apart";
        }
        if (b.above(a)) {
            return "reversed: intervals apart";
        }
        if (Double.isNaN(a.halfWidth())) {
            return a.mean() > b.mean() ? "higher, one seed: no interval" : "not higher, one seed: no interval";
        }
        return a.mean() > b.mean() ? "higher, but the intervals overlap" : "not higher; the intervals overlap";
    }

    /** Writes {@code tabom.md} and {@code tabom.png} into {@code folder}; returns the Markdown file. */
    public Path write(Path folder, String machine) throws IOException {
        Files.createDirectories(folder);
        Path png = folder.resolve("tabom.png");
        chart(png);
        StringBuilder md = new StringBuilder();
        TabomBudget b = r.budget;
        int n = b.samples();
        md.append("# Toy reproduction of TABOM\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Generated by `bin/lmlab tabom --budget %s` on %s (%s); the whole experiment took %.0f s through the"
                        + " gateway. Run ids below are in the run registry of the platform that ran it.\n\n",
                b.name(),
                LocalDate.now(),
                machine,
                r.seconds()));
        md.append("## Setup\n\n");
        md.append(String.format(
                Locale.ROOT,
                "- **Domains** (`POST /api/training/toy-domains`, seed 0): %d invented entities. Domain A: each"
                        + " entity's colour (`\"zobika colour:\"` → `\"teal\"`), plus word lists that spell every"
                        + " answer word of both domains. Domain B: each entity's home town (`\"zobika home:\"` →"
                        + " `\"oslo\"`). Answers are four characters from 12 words per domain, several sharing a first"
                        + " letter.\n",
                b.entities()));
        md.append(String.format(
                Locale.ROOT,
                "- **Base**: a LLaDA-style masked-diffusion model, %d × %d (character vocabulary), pretrained from"
                        + " random init on domain A text for %d steps of %d sequences (NELBO over every token, lr %.0e,"
                        + " warmup + cosine); run `%s`.\n",
                b.layers(),
                b.hidden(),
                b.pretrainSteps(),
                b.batch(),
                b.pretrainLr(),
                r.pretrainRun));
        md.append(String.format(
                Locale.ROOT,
                "- **Trajectories**: the base model's own decoding order over each ground-truth B answer, guided by"
                        + " the reference (each step unmasks the position where the model is most confident in the"
                        + " reference token), one token per step; inference run `%s`.\n",
                r.trajectoryRun));
        md.append(String.format(
                Locale.ROOT,
                "- **Post-training**, equal budget for every method: %d steps of %d sequences, lr %.0e, seeds 1..%d,"
                        + " all from the same base. NELBO-SFT trains on the ground-truth answers (prompt never masked,"
                        + " no eos); trajectory-NELBO and TABOM train on states cut along the trajectories (window"
                        + " 4); TABOM adds the logistic ranking term with λ = 1, τ = 1.\n",
                b.postSteps(),
                b.batch(),
                b.postLr(),
                b.seeds()));
        md.append(String.format(
                Locale.ROOT,
                "- **Evaluation** (eval service): greedy diffusion decoding (4 tokens, 4 steps) for accuracy; %d"
                        + " samples at temperature 1 for unbiased pass@k, k = 1..%d, started automatically by each"
                        + " final checkpoint. Intervals are 95%% t-intervals over the %d seeds.\n\n",
                n,
                n,
                b.seeds()));
        md.append("## Results\n\n");
        List<String[]> rows = rows();
        md.append("| ").append(String.join(" | ", rows.get(0))).append(" |\n");
        md.append("|---".repeat(rows.get(0).length)).append("|\n");
        for (String[] row : rows.subList(1, rows.size())) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        md.append("\n![Training loss per method (mean over seeds), pass@k on domain B and on domain A](tabom.png)\n\n");
        md.append("pass@k on domain B, k = 1..").append(n).append(" (mean over seeds):\n\n");
        md.append("| model |");
        for (int k = 1; k <= n; k++) {
            md.append(" k=").append(k).append(" |");
        }
        md.append("\n|---").append("|---".repeat(n)).append("|\n");
        md.append("| base |");
        for (int k = 1; k <= n; k++) {
            md.append(' ').append(fmt(r.basePassAtKB[k - 1])).append(" |");
        }
        md.append('\n');
        for (String m : r.methods.keySet()) {
            md.append("| ").append(LABELS.get(m)).append(" |");
            for (int k = 1; k <= n; k++) {
                md.append(' ').append(fmt(passAt(m, true, k).mean())).append(" |");
            }
            md.append('\n');
        }
        md.append("\n## Did TABOM's claims hold at this scale?\n\n");
        verdicts().forEach(v -> md.append("- ").append(v).append('\n'));
        md.append("""

                "Held" needs the paired interval (per-seed difference: runs with the same seed see the same data order)
                to exclude zero; "not shown" means the seeds disagree too much to tell at this count.

                ## What this toy can and cannot say

                - Trajectory-NELBO (λ = 0) is the ablation TABOM must beat: same states, same data, only the ranking
                  term differs. NELBO-SFT is the standard baseline on the ground truth.
                - Domain B is evaluated on the facts post-training saw: this measures knowledge acquisition (did the
                  facts get in, and within how many samples), not generalisation to unseen facts. Forgetting is
                  measured on domain A, which post-training never sees.
                - One base model, one data seed, four-character answers, a model of about a million parameters and a
                  post-training budget stopped short of saturation (by 100 steps every method reaches all of B). The
                  learning rate is high enough that every method forgets most of domain A; at a low rate none forgets
                  and none differs. The paper's scale (8B models, real domains) is not reproduced here; what carries
                  over is the mechanism: training states from the model's own decoding order, and a loss that orders
                  its certainties the way decoding visits positions.
                - Regenerate with `bin/lmlab tabom` (a fresh data folder, or a new `--tag`, runs everything again).
                """);
        md.append("\nPer-seed runs (training run id, greedy B / A accuracy):\n\n");
        for (Map.Entry<String, List<TabomResults.SeedResult>> e : r.methods.entrySet()) {
            for (TabomResults.SeedResult s : e.getValue()) {
                md.append(String.format(
                        Locale.ROOT,
                        "- %s seed %d: `%s`, %.3f / %.3f\n",
                        LABELS.get(e.getKey()),
                        s.seed(),
                        s.trainingRun(),
                        s.greedyB(),
                        s.greedyA()));
            }
        }
        Path file = folder.resolve("tabom.md");
        Files.writeString(file, md.toString());
        return file;
    }

    private void chart(Path png) throws IOException {
        List<LineChart.Series> losses = new ArrayList<>();
        List<LineChart.Series> pass = new ArrayList<>();
        List<LineChart.Series> retained = new ArrayList<>();
        int color = 0;
        int n = r.budget.samples();
        double[] ks = new double[n];
        for (int k = 1; k <= n; k++) {
            ks[k - 1] = k;
        }
        for (Map.Entry<String, List<TabomResults.SeedResult>> e : r.methods.entrySet()) {
            List<TabomResults.SeedResult> seeds = e.getValue();
            Color c = LineChart.color(color++);
            double[] steps = seeds.get(0).lossSteps();
            losses.add(new LineChart.Series(
                    LABELS.get(e.getKey()), c, false, steps, smooth(mean(seeds, TabomResults.SeedResult::loss))));
            if (e.getKey().equals("tabom")) {
                losses.add(new LineChart.Series(
                        "  its ranking term", c, true, steps, smooth(mean(seeds, TabomResults.SeedResult::rank))));
            }
            pass.add(new LineChart.Series(
                    LABELS.get(e.getKey()), c, false, ks, mean(seeds, TabomResults.SeedResult::passAtKB)));
            retained.add(new LineChart.Series(
                    LABELS.get(e.getKey()), c, false, ks, mean(seeds, TabomResults.SeedResult::passAtKA)));
        }
        pass.add(new LineChart.Series("base", LineChart.color(3), true, ks, r.basePassAtKB));
        retained.add(new LineChart.Series("base (before post-training)", LineChart.color(3), true, ks, r.basePassAtKA));
        LineChart.write(
                png,
                List.of(
                        new LineChart.Panel(
                                "Post-training loss on domain B", "step", "loss (own objective)", losses, false),
                        new LineChart.Panel("Knowledge boundary on domain B (new)", "k", "pass@k", pass, true),
                        new LineChart.Panel("Retention of domain A (forgetting)", "k", "pass@k", retained, true)));
    }

    private static double[] mean(
            List<TabomResults.SeedResult> seeds, java.util.function.Function<TabomResults.SeedResult, double[]> f) {
        int length = seeds.stream().mapToInt(s -> f.apply(s).length).min().orElse(0);
        double[] out = new double[length];
        for (TabomResults.SeedResult s : seeds) {
            double[] v = f.apply(s);
            for (int i = 0; i < length; i++) {
                out[i] += v[i] / seeds.size();
            }
        }
        return out;
    }

    /** An exponential moving average, so the per-step noise of masked-diffusion losses does not hide the trend. */
    private static double[] smooth(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = i == 0 ? v[0] : 0.8 * out[i - 1] + 0.2 * v[i];
        }
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String labelOf(String method) {
        return LABELS.get(method);
    }
}

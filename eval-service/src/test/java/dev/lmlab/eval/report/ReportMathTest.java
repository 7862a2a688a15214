package dev.lmlab.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.run.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ReportMathTest {

    static final Offset<Double> EXACT = Offset.offset(1e-12);

    static BenchmarkItem item(String id, String json, String... tags) {
        return new BenchmarkItem(
                id, 0, List.of(tags), (ObjectNode) JsonMapper.shared().readTree(json));
    }

    static Trial graded(String item, int trial, boolean correct) {
        return new Trial(
                item,
                trial,
                Trial.GRADED,
                correct ? 1.0 : 0.0,
                correct,
                "p",
                List.of(),
                "r",
                null,
                null,
                null,
                5,
                null,
                null);
    }

    static Trial failed(String item, int trial, String outcome) {
        return new Trial(item, trial, outcome, null, null, null, List.of(), null, null, null, "x", 5, null, null);
    }

    @Test
    void passAtKCountsOnlyGradedTrialsAndAveragesOverItemsWithEnoughOfThem() {
        List<BenchmarkItem> items = List.of(item("a", "{}"), item("b", "{}"));
        List<Trial> trials = new ArrayList<>();
        // a: 4 graded, 1 correct; b: 2 graded (1 correct), one target error and one judge error excluded
        trials.add(graded("a", 0, true));
        for (int t = 1; t < 4; t++) {
            trials.add(graded("a", t, false));
        }
        trials.add(graded("b", 0, true));
        trials.add(graded("b", 1, false));
        trials.add(failed("b", 2, Trial.ERROR));
        trials.add(failed("b", 3, Trial.JUDGE_ERROR));
        List<ItemScore> scores = ReportMath.itemScores(items, trials);
        assertThat(scores.get(1).trials()).isEqualTo(2);
        assertThat(scores.get(1).errors()).isEqualTo(1);
        assertThat(scores.get(1).judgeErrors()).isEqualTo(1);

        Map<String, Double> at = ReportMath.passCurve(scores, 4, false);
        // k=1: (1/4 + 1/2)/2; k=2: a: 1 − C(3,2)/C(4,2) = 1/2, b: 1 − 0 = 1; k=3,4: only a (3/4, 1)
        assertThat(at.get("1")).isCloseTo(0.375, EXACT);
        assertThat(at.get("2")).isCloseTo(0.75, EXACT);
        assertThat(at.get("3")).isCloseTo(0.75, EXACT);
        assertThat(at.get("4")).isCloseTo(1.0, EXACT);
        Map<String, Double> hat = ReportMath.passCurve(scores, 4, true);
        assertThat(hat.get("1")).isCloseTo(0.375, EXACT);
        assertThat(hat.get("2")).isCloseTo(0.0, EXACT); // a has one pass, b has one of two
        Map<String, Object> summary = ReportMath.summary(scores, s -> true);
        assertThat((double) summary.get("accuracy")).isCloseTo(0.375, EXACT);
    }

    @Test
    void theBootstrapIntervalMatchesTheNormalApproximationOnManyItemsAndIsReproducible() {
        SplittableRandom random = new SplittableRandom(3);
        double[] values = new double[400];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < 0.3 ? 1 : 0;
        }
        double mean = Bootstrap.mean(values);
        double sd = Math.sqrt(mean * (1 - mean) / values.length);
        double[] ci = Bootstrap.interval95(values);
        assertThat(ci[0]).isLessThan(mean);
        assertThat(ci[1]).isGreaterThan(mean);
        assertThat(ci[1] - ci[0]).isCloseTo(2 * 1.96 * sd, Offset.offset(0.15 * 2 * 1.96 * sd));
        assertThat(Bootstrap.interval95(values)).containsExactly(ci);
        assertThat(Bootstrap.interval95(new double[] {0.5})).containsExactly(0.5, 0.5);
        assertThat(Bootstrap.interval95(new double[0])).isNull();
        assertThat(Bootstrap.percentile(new double[] {0, 10}, 0.25)).isCloseTo(2.5, EXACT);
    }

    @Test
    void implicitMemoryLeavesControlsOutOfScoresAndReportsThePrimingEffectPerPair() {
        List<BenchmarkItem> items = List.of(
                item("p1", "{\"construct\":\"procedural\",\"polarity\":\"preference\"}"),
                item("p2", "{\"construct\":\"procedural\",\"polarity\":\"inhibition\"}"),
                item(
                        "e1",
                        "{\"construct\":\"priming\",\"polarity\":\"preference\",\"pair\":\"x\","
                                + "\"condition\":\"experimental\"}"),
                item(
                        "c1",
                        "{\"construct\":\"priming\",\"polarity\":\"preference\",\"pair\":\"x\","
                                + "\"condition\":\"control\"}"),
                item(
                        "e2",
                        "{\"construct\":\"priming\",\"polarity\":\"preference\",\"pair\":\"y\","
                                + "\"condition\":\"experimental\"}"),
                item(
                        "c2",
                        "{\"construct\":\"priming\",\"polarity\":\"preference\",\"pair\":\"y\","
                                + "\"condition\":\"control\"}"));
        List<Trial> trials = List.of(
                graded("p1", 0, true),
                graded("p2", 0, false),
                graded("e1", 0, true),
                graded("c1", 0, false),
                graded("e2", 0, true),
                graded("c2", 0, true));
        Map<String, Object> report = ImplicitMemoryReport.of(items, ReportMath.itemScores(items, trials));
        @SuppressWarnings("unchecked")
        Map<String, Object> overall = (Map<String, Object>) report.get("overall");
        assertThat(overall.get("items")).isEqualTo(4); // p1, p2, e1, e2: controls are baselines
        assertThat((double) overall.get("mean_score")).isCloseTo(0.75, EXACT);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> polarity = (Map<String, Map<String, Object>>) report.get("by_polarity");
        assertThat((double) polarity.get("inhibition").get("mean_score")).isCloseTo(0.0, EXACT);
        assertThat((double) polarity.get("preference").get("mean_score")).isCloseTo(1.0, EXACT);
        @SuppressWarnings("unchecked")
        Map<String, Object> priming = (Map<String, Object>) report.get("priming_effect");
        assertThat(priming.get("pairs")).isEqualTo(2);
        assertThat((double) priming.get("effect")).isCloseTo(0.5, EXACT); // (1 − 0 + 1 − 1) / 2
        assertThat((double) priming.get("control")).isCloseTo(0.5, EXACT);
    }

    @Test
    void aComparisonPairsItemsAndNamesTheFlips() {
        List<BenchmarkItem> items = List.of(item("a", "{}"), item("b", "{}"), item("c", "{}"));
        List<Trial> before = List.of(
                graded("a", 0, true),
                graded("a", 1, true),
                graded("b", 0, false),
                graded("b", 1, false),
                graded("c", 0, true),
                graded("c", 1, false));
        List<Trial> after = List.of(
                graded("a", 0, false),
                graded("a", 1, false),
                graded("b", 0, true),
                graded("b", 1, true),
                graded("c", 0, true),
                graded("c", 1, true));
        Map<String, Object> c = RunComparison.compare(items, before, items, after);
        assertThat(c.get("paired_items")).isEqualTo(3);
        // differences: a −1, b +1, c +0.5
        assertThat((double) c.get("mean_difference")).isCloseTo(0.5 / 3, EXACT);
        assertThat(c.get("flipped").toString()).contains("improved=[b, c]").contains("regressed=[a]");
        double[] ci = (double[]) c.get("mean_difference_ci95");
        assertThat(ci[0]).isLessThanOrEqualTo(0.5 / 3).isGreaterThanOrEqualTo(-1);
        assertThat(ci[1]).isGreaterThanOrEqualTo(0.5 / 3).isLessThanOrEqualTo(1);
    }
}

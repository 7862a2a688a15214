package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of bad input is refused with a message that names the problem. */
class GranularityInputChecksTest {

    private static final GranularityOptions OPTIONS = new GranularityOptions(null, 100, 5, 0, 3);

    private final GranularityInput good = new SyntheticRoles().build();

    @Test
    void fewerThanTwoLevels() {
        Map<String, String> levelOfLabel = new HashMap<>();
        good.levelOfLabel().keySet().forEach(l -> levelOfLabel.put(l, "only"));

        assertRefused(
                with(List.of("only"), good.rowsByHook(), good.labelOfRow(), levelOfLabel, null), "at least 2 levels");
    }

    @Test
    void aLevelWithNoLabels() {
        List<String> levels = List.of("level0", "level1", "unused", "level2", "level3");

        assertRefused(
                with(levels, good.rowsByHook(), good.labelOfRow(), good.levelOfLabel(), null),
                "levels with no labels: [unused]");
    }

    @Test
    void anEmptyTopOrBottomLevel() {
        List<String> top = List.of("level0", "level1", "level2", "level3", "expert");
        List<String> bottom = List.of("anyone", "level0", "level1", "level2", "level3");

        assertRefused(with(top, good.rowsByHook(), good.labelOfRow(), good.levelOfLabel(), null), "top level 'expert'");
        assertRefused(
                with(bottom, good.rowsByHook(), good.labelOfRow(), good.levelOfLabel(), null), "bottom level 'anyone'");
    }

    @Test
    void raggedRows() {
        double[][] rows = copy(good.rowsByHook().values().iterator().next());
        rows[5] = new double[7];

        assertRefused(
                with(good.levels(), hooks("h", rows), good.labelOfRow(), good.levelOfLabel(), null),
                "'h' is ragged: row 5 has width 7");
    }

    @Test
    void hooksWithDifferentRowCounts() {
        double[][] rows = good.rowsByHook().values().iterator().next();
        LinkedHashMap<String, double[][]> hooks = hooks("early", rows);
        hooks.put("late", java.util.Arrays.copyOf(rows, rows.length - 1));

        assertRefused(
                with(good.levels(), hooks, good.labelOfRow(), good.levelOfLabel(), null),
                "hook 'late' has 71 rows but labelOfRow has 72");
    }

    @Test
    void nanOrInfiniteValues() {
        double[][] nan = copy(good.rowsByHook().values().iterator().next());
        nan[3][9] = Double.NaN;
        double[][] inf = copy(good.rowsByHook().values().iterator().next());
        inf[0][0] = Double.NEGATIVE_INFINITY;

        assertRefused(
                with(good.levels(), hooks("h", nan), good.labelOfRow(), good.levelOfLabel(), null),
                "row 3 column 9 is NaN");
        assertRefused(
                with(good.levels(), hooks("h", inf), good.labelOfRow(), good.levelOfLabel(), null),
                "row 0 column 0 is -Infinity");
    }

    @Test
    void anUnknownPrimaryHook() {
        assertThatThrownBy(() -> GranularityAnalysis.run(good, OPTIONS.withPrimaryHook("blocks.9.hook_z")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown primary hook 'blocks.9.hook_z'")
                .hasMessageContaining("blocks.0.hook_resid_post");
    }

    @Test
    void labelsMissingALevelOrWithAnUnknownOne() {
        Map<String, String> missing = new HashMap<>(good.levelOfLabel());
        missing.remove("role_2_1");
        Map<String, String> unknown = new HashMap<>(good.levelOfLabel());
        unknown.put("role_2_1", "level9");

        assertRefused(
                with(good.levels(), good.rowsByHook(), good.labelOfRow(), missing, null),
                "1 labels missing a level in levelOfLabel: [role_2_1]");
        assertRefused(
                with(good.levels(), good.rowsByHook(), good.labelOfRow(), unknown, null),
                "label 'role_2_1' has level 'level9'");
    }

    @Test
    void variantsThatDoNotMatchTheRows() {
        assertRefused(
                with(good.levels(), good.rowsByHook(), good.labelOfRow(), good.levelOfLabel(), new String[3]),
                "variantOfRow has 3 entries for 72 rows");
    }

    @Test
    void noHooksOrNoRows() {
        assertRefused(
                with(good.levels(), new LinkedHashMap<>(), good.labelOfRow(), good.levelOfLabel(), null),
                "rowsByHook is empty");
        assertRefused(
                with(good.levels(), hooks("h", new double[0][]), new String[0], good.levelOfLabel(), null), "no rows");
    }

    @Test
    void optionsOutOfRange() {
        assertThatThrownBy(() -> new GranularityOptions(null, 0, 5, 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrapResamples");
        assertThatThrownBy(() -> new GranularityOptions(null, 10, -1, 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heldOutSplits");
        assertThatThrownBy(() -> new GranularityOptions(null, 10, 5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pcaComponents");
    }

    private static GranularityInput with(
            List<String> levels,
            LinkedHashMap<String, double[][]> rowsByHook,
            String[] labelOfRow,
            Map<String, String> levelOfLabel,
            String[] variantOfRow) {
        return new GranularityInput(levels, rowsByHook, labelOfRow, levelOfLabel, variantOfRow);
    }

    private static void assertRefused(GranularityInput in, String message) {
        assertThatThrownBy(() -> GranularityAnalysis.run(in, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static LinkedHashMap<String, double[][]> hooks(String name, double[][] rows) {
        LinkedHashMap<String, double[][]> hooks = new LinkedHashMap<>();
        hooks.put(name, rows);
        return hooks;
    }

    private static double[][] copy(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
        }
        return out;
    }
}

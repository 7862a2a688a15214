package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Rejects input the analysis cannot read, saying what is wrong and where, before any numerics run. */
final class InputChecks {

    private static final int NAMES_SHOWN = 10;

    private InputChecks() {}

    /** @return the primary hook, resolved */
    static String check(GranularityInput in, GranularityOptions options) {
        if (in == null || options == null) {
            throw new IllegalArgumentException("granularity analysis needs an input and options");
        }
        checkLevels(in.levels());
        int n = checkRows(in);
        checkLabels(in, n);
        if (in.variantOfRow() != null) {
            if (in.variantOfRow().length != n) {
                throw new IllegalArgumentException(
                        "variantOfRow has " + in.variantOfRow().length + " entries for " + n + " rows");
            }
            for (int r = 0; r < n; r++) {
                if (in.variantOfRow()[r] == null) {
                    throw new IllegalArgumentException(
                            "row " + r + " has no variant (variantOfRow[" + r + "] is null)");
                }
            }
        }
        return primaryHook(in, options);
    }

    private static void checkLevels(List<String> levels) {
        if (levels == null || levels.size() < 2) {
            throw new IllegalArgumentException("need at least 2 levels to contrast a top and a bottom, got "
                    + (levels == null ? "none" : levels.size() + ": " + levels));
        }
        if (levels.stream().anyMatch(Objects::isNull) || new HashSet<>(levels).size() != levels.size()) {
            throw new IllegalArgumentException("level names must be present and distinct: " + levels);
        }
    }

    // every hook a rectangular (N, D) of finite values, the same N throughout; returns N
    private static int checkRows(GranularityInput in) {
        if (in.rowsByHook() == null || in.rowsByHook().isEmpty()) {
            throw new IllegalArgumentException("rowsByHook is empty: need the hidden states of at least one hook");
        }
        if (in.labelOfRow() == null) {
            throw new IllegalArgumentException("labelOfRow is missing");
        }
        int n = in.labelOfRow().length;
        if (n == 0) {
            throw new IllegalArgumentException("no rows: labelOfRow is empty");
        }
        for (Map.Entry<String, double[][]> e : in.rowsByHook().entrySet()) {
            String hook = e.getKey();
            double[][] rows = e.getValue();
            if (hook == null || rows == null) {
                throw new IllegalArgumentException("rowsByHook has a null hook name or matrix");
            }
            if (rows.length != n) {
                throw new IllegalArgumentException("hook '" + hook + "' has " + rows.length
                        + " rows but labelOfRow has " + n + "; every hook needs the same rows in the same order");
            }
            int d = rows[0] == null ? 0 : rows[0].length;
            if (d == 0) {
                throw new IllegalArgumentException("hook '" + hook + "' row 0 is empty");
            }
            for (int r = 0; r < n; r++) {
                if (rows[r] == null || rows[r].length != d) {
                    throw new IllegalArgumentException("hook '" + hook + "' is ragged: row " + r + " has width "
                            + (rows[r] == null ? 0 : rows[r].length) + ", row 0 has " + d);
                }
                for (int j = 0; j < d; j++) {
                    if (!Double.isFinite(rows[r][j])) {
                        throw new IllegalArgumentException("hook '" + hook + "' row " + r + " column " + j + " is "
                                + rows[r][j] + "; hidden states must be finite (NaN or infinity)");
                    }
                }
            }
        }
        return n;
    }

    private static void checkLabels(GranularityInput in, int n) {
        if (in.levelOfLabel() == null) {
            throw new IllegalArgumentException("levelOfLabel is missing");
        }
        Set<String> missing = new LinkedHashSet<>();
        Set<String> used = new LinkedHashSet<>();
        for (int r = 0; r < n; r++) {
            String label = in.labelOfRow()[r];
            if (label == null) {
                throw new IllegalArgumentException("row " + r + " has no label (labelOfRow[" + r + "] is null)");
            }
            String level = in.levelOfLabel().get(label);
            if (level == null) {
                missing.add(label);
            } else if (!in.levels().contains(level)) {
                throw new IllegalArgumentException("label '" + label + "' has level '" + level
                        + "', which is not one of the levels " + in.levels());
            } else {
                used.add(level);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    missing.size() + " labels missing a level in levelOfLabel: " + shortList(missing));
        }
        List<String> levels = in.levels();
        String bottom = levels.get(0);
        String top = levels.get(levels.size() - 1);
        if (!used.contains(bottom)) {
            throw new IllegalArgumentException("the bottom level '" + bottom + "' is empty: no row has a label at it");
        }
        if (!used.contains(top)) {
            throw new IllegalArgumentException("the top level '" + top + "' is empty: no row has a label at it");
        }
        List<String> empty = new ArrayList<>(levels);
        empty.removeAll(used);
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException(
                    "levels with no labels: " + empty + "; drop them from levels or add rows");
        }
    }

    private static String primaryHook(GranularityInput in, GranularityOptions options) {
        List<String> hooks = new ArrayList<>(in.rowsByHook().keySet());
        if (options.primaryHook() == null) {
            return hooks.get(hooks.size() - 1);
        }
        if (!in.rowsByHook().containsKey(options.primaryHook())) {
            throw new IllegalArgumentException(
                    "unknown primary hook '" + options.primaryHook() + "'; the hooks are " + shortList(hooks));
        }
        return options.primaryHook();
    }

    private static String shortList(Iterable<String> names) {
        List<String> shown = new ArrayList<>();
        int count = 0;
        for (String name : names) {
            if (count++ < NAMES_SHOWN) {
                shown.add(name);
            }
        }
        return shown + (count > NAMES_SHOWN ? " and " + (count - NAMES_SHOWN) + " more" : "");
    }
}

package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each label's mean hidden state over its rows: M labels of width D, ordered by level from the bottom, and within a
 * level by first appearance, so every hook and every subset lists shared labels in the same order.
 *
 * @param labels (M)
 * @param levelOf each label's level index, 0 at the bottom: (M)
 * @param rowCount rows behind each mean: (M)
 * @param means (M, D)
 */
record LabelMeans(List<String> labels, int[] levelOf, int[] rowCount, double[][] means) {

    /**
     * @param rows (N, D)
     * @param labelOfRow (N)
     * @param levelIndex label to its level index
     * @param keep which rows count, (N), or null for all
     */
    static LabelMeans of(double[][] rows, String[] labelOfRow, Map<String, Integer> levelIndex, boolean[] keep) {
        Map<String, List<Integer>> rowsOfLabel = new LinkedHashMap<>();
        for (int r = 0; r < rows.length; r++) {
            if (keep == null || keep[r]) {
                rowsOfLabel
                        .computeIfAbsent(labelOfRow[r], l -> new ArrayList<>())
                        .add(r);
            }
        }
        List<String> labels = new ArrayList<>(rowsOfLabel.keySet());
        labels.sort((a, b) -> Integer.compare(levelIndex.get(a), levelIndex.get(b))); // stable: first appearance
        int m = labels.size();
        int[] levelOf = new int[m];
        int[] rowCount = new int[m];
        double[][] means = new double[m][];
        for (int i = 0; i < m; i++) {
            int[] chosen = rowsOfLabel.get(labels.get(i)).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
            levelOf[i] = levelIndex.get(labels.get(i));
            rowCount[i] = chosen.length;
            means[i] = Vectors.meanOf(rows, chosen);
        }
        return new LabelMeans(List.copyOf(labels), levelOf, rowCount, means);
    }

    /** The chosen labels only, in the order given. */
    LabelMeans subset(int[] chosen) {
        List<String> names = new ArrayList<>();
        int[] levels = new int[chosen.length];
        int[] counts = new int[chosen.length];
        double[][] rows = new double[chosen.length][];
        for (int i = 0; i < chosen.length; i++) {
            names.add(labels.get(chosen[i]));
            levels[i] = levelOf[chosen[i]];
            counts[i] = rowCount[chosen[i]];
            rows[i] = means[chosen[i]];
        }
        return new LabelMeans(List.copyOf(names), levels, counts, rows);
    }

    int size() {
        return labels.size();
    }

    int width() {
        return means[0].length;
    }

    boolean hasLevel(int level) {
        for (int l : levelOf) {
            if (l == level) {
                return true;
            }
        }
        return false;
    }

    /** Indices of the labels at one level, in order. */
    int[] atLevel(int level) {
        int count = 0;
        for (int l : levelOf) {
            count += l == level ? 1 : 0;
        }
        int[] out = new int[count];
        int next = 0;
        for (int i = 0; i < levelOf.length; i++) {
            if (levelOf[i] == level) {
                out[next++] = i;
            }
        }
        return out;
    }

    /** The level indices as doubles, for rank correlation: (M). */
    double[] levelScores() {
        double[] out = new double[levelOf.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = levelOf[i];
        }
        return out;
    }
}

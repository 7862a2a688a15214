package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Made-up hidden states for labels at granularity levels: each label's mean is {@code signal × level × u} for one
 * random unit direction u, plus the label's own noise; each row is its label's mean plus row noise.
 */
final class SyntheticRoles {

    int width = 64;
    int levels = 4;
    int labelsPerLevel = 6;
    int rowsPerLabel = 3;
    double labelNoise = 0.05;
    double rowNoise = 0.05;
    long seed = 1;
    /** one hook per entry, each with this signal strength; the last is the primary hook */
    double[] signalByHook = {1.0};
    /** rows of each label are spread over these variants, round robin; empty for none */
    List<String> variants = List.of();

    double[] direction;

    GranularityInput build() {
        Random random = new Random(seed);
        direction = unit(gaussian(random, width));
        List<String> levelNames = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            levelNames.add("level" + l);
        }
        List<String> labelOfRow = new ArrayList<>();
        List<String> variantOfRow = new ArrayList<>();
        Map<String, String> levelOfLabel = new HashMap<>();
        Map<String, List<double[]>> rowsByHook = new LinkedHashMap<>();
        for (int h = 0; h < signalByHook.length; h++) {
            rowsByHook.put("blocks." + h + ".hook_resid_post", new ArrayList<>());
        }
        for (int l = 0; l < levels; l++) {
            for (int i = 0; i < labelsPerLevel; i++) {
                String label = "role_" + l + "_" + i;
                levelOfLabel.put(label, levelNames.get(l));
                List<double[]> labelNoiseByHook = new ArrayList<>();
                for (int h = 0; h < signalByHook.length; h++) {
                    labelNoiseByHook.add(scaled(gaussian(random, width), labelNoise));
                }
                for (int r = 0; r < rowsPerLabel; r++) {
                    labelOfRow.add(label);
                    variantOfRow.add(variants.isEmpty() ? null : variants.get(r % variants.size()));
                    int h = 0;
                    for (List<double[]> rows : rowsByHook.values()) {
                        double[] row = scaled(direction, signalByHook[h] * l);
                        add(row, labelNoiseByHook.get(h));
                        add(row, scaled(gaussian(random, width), rowNoise));
                        rows.add(row);
                        h++;
                    }
                }
            }
        }
        LinkedHashMap<String, double[][]> matrices = new LinkedHashMap<>();
        rowsByHook.forEach((hook, rows) -> matrices.put(hook, rows.toArray(double[][]::new)));
        return new GranularityInput(
                levelNames,
                matrices,
                labelOfRow.toArray(String[]::new),
                levelOfLabel,
                variants.isEmpty() ? null : variantOfRow.toArray(String[]::new));
    }

    static double[] gaussian(Random random, int width) {
        double[] v = new double[width];
        for (int j = 0; j < width; j++) {
            v[j] = random.nextGaussian();
        }
        return v;
    }

    private static double[] unit(double[] v) {
        return scaled(v, 1 / Vectors.norm(v));
    }

    private static double[] scaled(double[] v, double factor) {
        return Vectors.scaled(v, factor);
    }

    private static void add(double[] sum, double[] v) {
        for (int j = 0; j < sum.length; j++) {
            sum[j] += v[j];
        }
    }
}

package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Granularity analysis: do labels at different granularity levels (a broad "person" … a specific "cardiologist")
 * line up along one direction of the hidden states? Per label, the mean hidden state over its rows; the contrast
 * axis is the mean of the top level's label means minus that of the bottom level's. The analysis asks whether this
 * axis is the main direction of variation (cosine with PC1 of the label means) and whether labels order by level
 * along it (Spearman's ρ between level index and projection), and how well that holds across layers, prompt
 * variants, held-out labels and other choices of the axis' ends.
 *
 * <p>Dimensions: N rows, D hidden width, M labels, L levels, K principal components.
 */
public final class GranularityAnalysis {

    private GranularityAnalysis() {}

    /**
     * @throws IllegalArgumentException for input the analysis cannot read: fewer than 2 levels, a level with no
     *     labels, ragged or mismatched shapes, NaN or infinite values, an unknown primary hook, labels missing a
     *     level
     */
    public static GranularityResult run(GranularityInput in, GranularityOptions options) {
        String primaryHook = InputChecks.check(in, options);
        List<String> levels = in.levels();
        Map<String, Integer> levelIndex = new HashMap<>();
        in.levelOfLabel().forEach((label, level) -> levelIndex.put(label, levels.indexOf(level)));

        // one fit per hook, in layer order: label means (M, D), axis (D), projections (M), PCA (K, D)
        Map<String, ContrastFit> fits = new LinkedHashMap<>();
        in.rowsByHook()
                .forEach((hook, rows) -> fits.put(
                        hook,
                        ContrastFit.of(
                                LabelMeans.of(rows, in.labelOfRow(), levelIndex, null),
                                levels.size(),
                                options.pcaComponents())));
        ContrastFit main = fits.get(primaryHook);
        List<LevelProjection> byLevel = LevelProjection.of(main, levels, options.bootstrapResamples(), options.seed());

        // the headline statistics at the primary hook, then the checks of their stability
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("primary_hook", primaryHook);
        json.put("hooks", List.copyOf(fits.keySet()));
        json.put("n_rows", in.labelOfRow().length);
        json.put("n_labels", main.means().size());
        json.put("width", main.axis().length);
        json.put("options", optionsJson(options));
        json.put("levels", byLevel.stream().map(LevelProjection::json).toList());
        json.put("labels", labelsJson(main, levels));
        json.put("axis_norm", JsonValues.number(main.axisNorm()));
        json.put("pca", pcaJson(main.pca()));
        json.put("cos_axis_pc1", JsonValues.magnitude(main.cosAxisPc1()));
        json.put("cos_axis_pc1_signed", JsonValues.number(main.cosAxisPc1()));
        json.put("spearman_rho", JsonValues.number(main.rho()));
        json.put(
                "held_out",
                HeldOutSplits.json(main.means(), levels.size(), main.axis(), options.heldOutSplits(), options.seed()));
        json.put("endpoints", EndpointDefinition.compareAll(main.means(), main.axis(), levels));
        json.put(
                "by_variant",
                VariantComparison.json(
                        in, in.rowsByHook().get(primaryHook), levelIndex, main, options.pcaComponents()));
        json.put("by_layer", LayerSweep.json(fits, primaryHook));

        return new GranularityResult(
                json,
                main.axis().clone(),
                GranularityPlots.projectionByLevel(primaryHook, byLevel),
                GranularityPlots.stabilityByLayer(fits, primaryHook));
    }

    private static Map<String, Object> optionsJson(GranularityOptions options) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bootstrap_resamples", options.bootstrapResamples());
        out.put("held_out_splits", options.heldOutSplits());
        out.put("seed", options.seed());
        out.put("pca_components", options.pcaComponents());
        return out;
    }

    private static List<Map<String, Object>> labelsJson(ContrastFit fit, List<String> levels) {
        List<Map<String, Object>> out = new ArrayList<>();
        LabelMeans means = fit.means();
        for (int i = 0; i < means.size(); i++) {
            Map<String, Object> label = new LinkedHashMap<>();
            label.put("label", means.labels().get(i));
            label.put("level", levels.get(means.levelOf()[i]));
            label.put("n_rows", means.rowCount()[i]);
            label.put("projection", JsonValues.number(fit.projections()[i]));
            out.add(label);
        }
        return out;
    }

    // counts and shares only: component vectors are D wide and belong in an artifact, not in the summary
    private static Map<String, Object> pcaJson(Pca pca) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("components", pca.singularValues().length);
        out.put("explained_variance_ratio", JsonValues.numbers(pca.explainedVarianceRatio()));
        out.put("singular_values", JsonValues.numbers(pca.singularValues()));
        return out;
    }
}

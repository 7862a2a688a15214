package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class GranularityAnalysisTest {

    private static final GranularityOptions OPTIONS = new GranularityOptions(null, 1000, 30, 42, 5);

    @Test
    void recoversAPlantedGranularityDirection() {
        SyntheticRoles roles = new SyntheticRoles();
        GranularityResult result = GranularityAnalysis.run(roles.build(), OPTIONS);
        Map<String, Object> json = result.json();

        assertThat(Vectors.cosine(result.axis(), roles.direction)).isGreaterThan(0.99);
        // the axis spans three level steps of the planted unit direction
        assertThat(number(json, "axis_norm")).isCloseTo(3, within(0.3));
        assertThat(number(json, "cos_axis_pc1")).isGreaterThan(0.99);
        assertThat(Math.abs(number(json, "cos_axis_pc1_signed"))).isEqualTo(number(json, "cos_axis_pc1"));
        // four tied groups of six labels cap ρ at √(1 − 35/575) ≈ 0.969 even when the groups never overlap
        assertThat(number(json, "spearman_rho")).isCloseTo(Math.sqrt(1 - 35.0 / 575), within(1e-9));
        assertThat(number(map(json, "pca"), "components")).isEqualTo(5);
        assertThat((List<?>) map(json, "pca").get("explained_variance_ratio")).hasSize(5);
        // PC1 holds the levels' spread, Σ(l − 1.5)² over 24 labels = 30, against 23 degrees of freedom of noise in
        // 64 dimensions, each with the label's variance 0.05² plus its three rows' 0.05² / 3
        double noise = 23 * 64 * (0.0025 + 0.0025 / 3);
        assertThat(firstRatio(json)).isCloseTo(30 / (30 + noise), within(0.03));

        Map<String, Object> heldOut = map(json, "held_out");
        assertThat(number(heldOut, "splits")).isEqualTo(30);
        assertThat(number(heldOut, "rho_mean")).isGreaterThan(0.9);
        assertThat(list(heldOut, "rho_ci95")).hasSize(2);
        assertThat(list(heldOut, "per_split")).hasSize(30);
        assertThat(number(heldOut, "cos_with_main_axis_mean")).isGreaterThan(0.98);
    }

    @Test
    void levelsAreSummarisedInOrderWithIntervalsAroundTheirMeans() {
        GranularityResult result = GranularityAnalysis.run(new SyntheticRoles().build(), OPTIONS);

        List<Map<String, Object>> levels = list(result.json(), "levels");
        assertThat(levels).extracting(l -> l.get("level")).containsExactly("level0", "level1", "level2", "level3");
        double previous = Double.NEGATIVE_INFINITY;
        for (Map<String, Object> level : levels) {
            double mean = number(level, "projection_mean");
            List<?> ci = (List<?>) level.get("ci95");
            assertThat(mean).isBetween((Double) ci.get(0), (Double) ci.get(1)).isGreaterThan(previous + 0.8);
            assertThat(level.get("n_rows")).isEqualTo(18);
            assertThat((List<?>) level.get("labels")).hasSize(6);
            previous = mean;
        }
        List<Map<String, Object>> labels = list(result.json(), "labels");
        assertThat(labels).hasSize(24);
        assertThat(labels.get(0)).containsEntry("level", "level0").containsEntry("n_rows", 3);
    }

    @Test
    void theAxisIsTheDifferenceOfLabelMeansEachLabelCountingOnce() {
        // bottom labels a (two rows, mean (1, 0)) and b (mean (0, 2)); top label c at (4, 4)
        GranularityInput in = new GranularityInput(
                List.of("broad", "specific"),
                hooks(new double[][] {{0, 0}, {2, 0}, {0, 2}, {4, 4}}),
                new String[] {"a", "a", "b", "c"},
                Map.of("a", "broad", "b", "broad", "c", "specific"),
                null);

        GranularityResult result = GranularityAnalysis.run(in, OPTIONS);

        assertThat(result.axis()).containsExactly(3.5, 3.0);
        double norm = Math.hypot(3.5, 3);
        assertThat(list(result.json(), "labels"))
                .extracting(l -> l.get("projection"))
                .containsExactly(3.5 / norm, 6.0 / norm, 26.0 / norm);
        assertThat(map(result.json(), "held_out")).containsEntry("splits", 0).containsKey("skipped");
    }

    @Test
    void heldOutSplitsRemoveTheInSampleBiasOfPureNoise() {
        // the end labels built the axis, so in-sample even noise orders them; labels held out of the fit do not
        double inSample = 0;
        double heldOut = 0;
        int datasets = 8;
        for (int seed = 0; seed < datasets; seed++) {
            SyntheticRoles noise = new SyntheticRoles();
            noise.signalByHook = new double[] {0};
            noise.labelNoise = 1;
            noise.seed = 100 + seed;
            Map<String, Object> json =
                    GranularityAnalysis.run(noise.build(), OPTIONS).json();
            inSample += number(json, "spearman_rho") / datasets;
            heldOut += number(map(json, "held_out"), "rho_mean") / datasets;
        }

        assertThat(Math.abs(heldOut)).isLessThan(0.15);
        assertThat(inSample).isGreaterThan(heldOut + 0.3);
    }

    @Test
    void everyEndpointDefinitionAgreesOnAPlantedDirection() {
        List<Map<String, Object>> endpoints = list(
                GranularityAnalysis.run(new SyntheticRoles().build(), OPTIONS).json(), "endpoints");

        assertThat(endpoints)
                .extracting(e -> e.get("name"))
                .containsExactly("top_vs_bottom", "top_two_vs_bottom_two", "top_vs_rest", "rest_vs_bottom");
        assertThat(endpoints.get(0).get("cos_with_main_axis")).isEqualTo(1.0);
        assertThat(endpoints.get(1)).containsEntry("top_levels", List.of("level2", "level3"));
        for (Map<String, Object> e : endpoints) {
            assertThat(number(e, "cos_with_main_axis"))
                    .as((String) e.get("name"))
                    .isGreaterThan(0.98);
            assertThat(number(e, "spearman_rho")).as((String) e.get("name")).isGreaterThan(0.95);
        }
    }

    @Test
    void withThreeLevelsTheTopTwoAndBottomTwoOverlapAndAreSkipped() {
        SyntheticRoles roles = new SyntheticRoles();
        roles.levels = 3;

        List<Map<String, Object>> endpoints =
                list(GranularityAnalysis.run(roles.build(), OPTIONS).json(), "endpoints");

        assertThat(endpoints.get(1)).containsEntry("spearman_rho", null).containsKey("skipped");
        assertThat(number(endpoints.get(2), "spearman_rho")).isGreaterThan(0.9);
    }

    @Test
    void eachVariantIsFittedOnItsOwnRows() {
        SyntheticRoles roles = new SyntheticRoles();
        roles.variants = List.of("you_are", "act_as", "imagine");

        List<Map<String, Object>> variants =
                list(GranularityAnalysis.run(roles.build(), OPTIONS).json(), "by_variant");

        assertThat(variants).extracting(v -> v.get("variant")).containsExactly("you_are", "act_as", "imagine");
        for (Map<String, Object> v : variants) {
            assertThat(v).containsEntry("n_rows", 24).containsEntry("n_labels", 24);
            assertThat(number(v, "cos_with_main_axis")).isGreaterThan(0.98);
            assertThat(number(v, "cos_axis_pc1")).isGreaterThan(0.98);
            assertThat(number(v, "spearman_rho")).isGreaterThan(0.95);
        }
    }

    @Test
    void aVariantWithoutTheTopLevelIsReportedAsSkipped() {
        GranularityInput full = new SyntheticRoles().build();
        String[] variants = new String[full.labelOfRow().length];
        for (int r = 0; r < variants.length; r++) {
            boolean top = full.levelOfLabel().get(full.labelOfRow()[r]).equals("level3");
            variants[r] = top || r % 2 == 0 ? "plain" : "no_top";
        }
        GranularityInput in = new GranularityInput(
                full.levels(), full.rowsByHook(), full.labelOfRow(), full.levelOfLabel(), variants);

        List<Map<String, Object>> byVariant =
                list(GranularityAnalysis.run(in, OPTIONS).json(), "by_variant");

        assertThat(byVariant.get(1)).containsEntry("variant", "no_top").containsEntry("spearman_rho", null);
        assertThat((String) byVariant.get(1).get("skipped")).contains("top");
    }

    @Test
    void layersAreReportedInHookOrderAgainstThePrimaryHook() {
        SyntheticRoles roles = new SyntheticRoles();
        roles.signalByHook = new double[] {0, 0.3, 1};
        roles.labelNoise = 0.2;
        GranularityInput in = roles.build();

        Map<String, Object> json = GranularityAnalysis.run(in, OPTIONS).json();
        List<Map<String, Object>> layers = list(json, "by_layer");

        assertThat(json.get("primary_hook")).isEqualTo("blocks.2.hook_resid_post");
        assertThat(layers)
                .extracting(l -> l.get("hook"))
                .containsExactly("blocks.0.hook_resid_post", "blocks.1.hook_resid_post", "blocks.2.hook_resid_post");
        assertThat(layers.get(2).get("cos_with_primary_axis")).isEqualTo(1.0);
        assertThat(number(layers.get(2), "spearman_rho")).isGreaterThan(number(layers.get(0), "spearman_rho"));
        assertThat(number(layers.get(2), "cos_axis_pc1")).isGreaterThan(0.95);
        assertThat(number(layers.get(0), "explained_variance_ratio_pc1"))
                .isLessThan(number(layers.get(2), "explained_variance_ratio_pc1"));

        Map<String, Object> atFirst = GranularityAnalysis.run(in, OPTIONS.withPrimaryHook("blocks.1.hook_resid_post"))
                .json();
        assertThat(atFirst.get("primary_hook")).isEqualTo("blocks.1.hook_resid_post");
        assertThat(list(atFirst, "by_layer").get(1).get("cos_with_primary_axis"))
                .isEqualTo(1.0);
    }

    @Test
    void aHookOfAnotherWidthHasNoCosineWithThePrimaryAxis() {
        GranularityInput base = new SyntheticRoles().build();
        LinkedHashMap<String, double[][]> hooks = new LinkedHashMap<>();
        double[][] rows = base.rowsByHook().values().iterator().next();
        double[][] narrow = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            narrow[r] = java.util.Arrays.copyOf(rows[r], 3); // fewer dimensions than labels: PCA by columns
        }
        hooks.put("embed", narrow);
        hooks.put("final", rows);
        GranularityInput in = new GranularityInput(base.levels(), hooks, base.labelOfRow(), base.levelOfLabel(), null);

        List<Map<String, Object>> layers =
                list(GranularityAnalysis.run(in, OPTIONS).json(), "by_layer");

        assertThat(layers.get(0)).containsEntry("width", 3).containsEntry("cos_with_primary_axis", null);
        assertThat(number(layers.get(0), "cos_axis_pc1")).isBetween(0.0, 1.0);
    }

    @Test
    void theJsonIsJsonReadyAndRepeatsForOneSeed() throws Exception {
        SyntheticRoles roles = new SyntheticRoles();
        roles.variants = List.of("a", "b");
        roles.signalByHook = new double[] {0, 1};

        Map<String, Object> first =
                GranularityAnalysis.run(roles.build(), OPTIONS).json();
        Map<String, Object> again =
                GranularityAnalysis.run(roles.build(), OPTIONS).json();
        Map<String, Object> reseeded = GranularityAnalysis.run(
                        roles.build(), new GranularityOptions(null, 1000, 30, 43, 5))
                .json();

        assertJsonReady(first);
        String text = JsonMapper.builder().build().writeValueAsString(first);
        assertThat(text).doesNotContain("NaN").doesNotContain("Infinity").contains("\"cos_axis_pc1\"");
        assertThat(first).isEqualTo(again);
        assertThat(first.get("held_out")).isNotEqualTo(reseeded.get("held_out"));
        assertThat(first)
                .containsKeys(
                        "levels",
                        "labels",
                        "axis_norm",
                        "pca",
                        "cos_axis_pc1",
                        "cos_axis_pc1_signed",
                        "spearman_rho",
                        "held_out",
                        "endpoints",
                        "by_variant",
                        "by_layer");
    }

    @Test
    void plotsDecodeAsPngImages() throws Exception {
        SyntheticRoles roles = new SyntheticRoles();
        roles.signalByHook = new double[] {0.2, 0.5, 1};
        GranularityResult result = GranularityAnalysis.run(roles.build(), OPTIONS);

        BufferedImage projection = ImageIO.read(new ByteArrayInputStream(result.projectionPlotPng()));
        BufferedImage stability = ImageIO.read(new ByteArrayInputStream(result.stabilityPlotPng()));

        assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
        assertThat(projection).isNotNull();
        assertThat(stability).isNotNull();
        assertThat(projection.getWidth()).isEqualTo(560);
        assertThat(projection.getHeight()).isEqualTo(420);
        assertThat(stability.getWidth()).isEqualTo(560);
        assertThat(stability.getHeight()).isEqualTo(420);
    }

    static LinkedHashMap<String, double[][]> hooks(double[][] rows) {
        LinkedHashMap<String, double[][]> hooks = new LinkedHashMap<>();
        hooks.put("blocks.0.hook_resid_post", rows);
        return hooks;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> json, String key) {
        return (Map<String, Object>) json.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String key) {
        return (List<Map<String, Object>>) json.get(key);
    }

    static double number(Map<String, Object> json, String key) {
        assertThat(json.get(key)).as(key).isInstanceOf(Number.class);
        return ((Number) json.get(key)).doubleValue();
    }

    private static double firstRatio(Map<String, Object> json) {
        return ((Number) ((List<?>) map(json, "pca").get("explained_variance_ratio")).get(0)).doubleValue();
    }

    private static void assertJsonReady(Object value) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                assertThat(k).isInstanceOf(String.class);
                assertThat((String) k).matches("[a-z0-9_]+");
                assertJsonReady(v);
            });
        } else if (value instanceof List<?> l) {
            l.forEach(GranularityAnalysisTest::assertJsonReady);
        } else if (value instanceof Double d) {
            assertThat(d).isFinite();
        } else if (value != null) {
            assertThat(value).isInstanceOfAny(String.class, Integer.class, Long.class, Boolean.class);
        }
    }
}

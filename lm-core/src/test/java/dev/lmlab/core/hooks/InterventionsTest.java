package dev.lmlab.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.model.HookPoints;
import dev.lmlab.core.model.HookSite;
import dev.lmlab.core.model.LanguageModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class InterventionsTest {

    static LanguageModel model;
    static NDManager manager;
    static final long[] TOKENS = {1, 47, 76, 83, 83, 86, 19, 7, 94};

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(
                Path.of(InterventionsTest.class
                        .getResource("/fixtures/llama-tiny")
                        .toURI()),
                Device.cpu());
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    private NDArray ids() {
        return manager.create(TOKENS, new Shape(1, TOKENS.length));
    }

    private NDArray run(List<Intervention> interventions) {
        try (InterventionRuntime runtime = runtime(interventions)) {
            return model.transformer().forward(ids(), null, null, null, runtime, HookSite.PROMPT);
        }
    }

    private InterventionRuntime runtime(List<Intervention> interventions) {
        return InterventionRuntime.build(interventions, model.config(), manager, name -> {
            throw new IllegalArgumentException("no SAE " + name);
        });
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private static float[] constant(float value) {
        float[] v = new float[64];
        java.util.Arrays.fill(v, value);
        return v;
    }

    @Test
    void addingAZeroVectorChangesNothing() {
        NDArray clean = model.transformer().forward(ids());
        NDArray steered = run(List.of(new Intervention.Add(HookPoints.residPost(0), constant(0), 5.0, null, null)));

        assertThat(maxDiff(clean, steered)).isZero();
    }

    @Test
    void captureLeavesTheLogitsAloneAndResidPostOfLEqualsResidPreOfLPlusOne() {
        NDArray clean = model.transformer().forward(ids());
        try (InterventionRuntime runtime = runtime(List.of(
                new Intervention.Capture(HookPoints.residPost(0)), new Intervention.Capture(HookPoints.residPre(1))))) {
            NDArray logits = model.transformer().forward(ids(), null, null, null, runtime, HookSite.PROMPT);

            assertThat(maxDiff(clean, logits)).isZero();
            NDArray post = runtime.captured().get(HookPoints.residPost(0));
            assertThat(post.getShape()).isEqualTo(new Shape(1, 9, 64));
            assertThat(maxDiff(post, runtime.captured().get(HookPoints.residPre(1))))
                    .isZero();
        }
    }

    @Test
    void anExactSaeSpliceReproducesTheCleanLogits(@TempDir Path dir) {
        // d_sae = 2D, W_enc = [I, -I], W_dec = [I; -I]: relu(x) - relu(-x) = x, with every latent kept
        int d = 64;
        float[] enc = new float[d * 2 * d];
        float[] dec = new float[2 * d * d];
        for (int i = 0; i < d; i++) {
            enc[i * 2 * d + i] = 1;
            enc[i * 2 * d + d + i] = -1;
            dec[i * d + i] = 1;
            dec[(d + i) * d + i] = -1;
        }
        try (NDManager m = manager.newSubManager()) {
            SparseAutoencoder exact = new SparseAutoencoder(
                    m,
                    m.create(enc, new Shape(d, 2 * d)),
                    m.create(dec, new Shape(2 * d, d)),
                    m.zeros(new Shape(2 * d)),
                    m.zeros(new Shape(d)),
                    2 * d,
                    true,
                    HookPoints.residPost(0));
            exact.save(dir.resolve("exact-sae"));
        }
        NDArray clean = model.transformer().forward(ids());
        try (InterventionRuntime runtime = InterventionRuntime.build(
                List.of(new Intervention.SaeSplice(HookPoints.residPost(0), "exact-sae", null)),
                model.config(),
                manager,
                name -> SparseAutoencoder.load(dir.resolve(name), manager))) {
            NDArray spliced = model.transformer().forward(ids(), null, null, null, runtime, HookSite.PROMPT);

            assertThat(maxDiff(clean, spliced)).isLessThan(1e-5f);
        }
    }

    @Test
    void ablationsAndSteeringChangeOnlyTheChosenPositions() {
        NDArray clean = model.transformer().forward(ids());
        NDArray ablated =
                run(List.of(new Intervention.ZeroAblate(HookPoints.block(1, HookPoints.MLP_OUT), Positions.of(5))));
        NDArray meanAblated =
                run(List.of(new Intervention.MeanAblate(HookPoints.residPost(1), constant(0.1f), Positions.ALL)));

        // the last block's MLP at position 5 only changes position 5 of a causal model
        assertThat(maxDiff(clean.get(new NDIndex(":, :5")), ablated.get(new NDIndex(":, :5"))))
                .isZero();
        assertThat(maxDiff(clean.get(new NDIndex(":, 5:6")), ablated.get(new NDIndex(":, 5:6"))))
                .isGreaterThan(1e-4f);
        assertThat(maxDiff(clean.get(new NDIndex(":, 6:")), ablated.get(new NDIndex(":, 6:"))))
                .isZero();
        assertThat(maxDiff(clean, meanAblated)).isGreaterThan(1e-3f);
    }

    @Test
    void promptAndGeneratedPositionsFollowTheSite() {
        NDArray clean = model.transformer().forward(ids());
        Intervention onGenerated =
                new Intervention.Add(HookPoints.residPost(1), constant(1), 2.0, null, Positions.GENERATED);
        NDArray steered;
        try (InterventionRuntime runtime = runtime(List.of(onGenerated))) {
            // pretend the prompt is the first 6 tokens and the rest was generated
            steered =
                    model.transformer().forward(ids(), null, null, null, runtime, new HookSite(null, new int[] {6}, 0));
        }

        assertThat(maxDiff(clean.get(new NDIndex(":, :6")), steered.get(new NDIndex(":, :6"))))
                .isZero();
        assertThat(maxDiff(clean.get(new NDIndex(":, 6:")), steered.get(new NDIndex(":, 6:"))))
                .isGreaterThan(1e-3f);
    }

    @Test
    void scheduleCoefficientsFollowTheStep() {
        Intervention scheduled = new Intervention.Add(
                HookPoints.residPost(1), constant(1), null, new Schedule(new double[] {0, 3}), null);
        NDArray clean = model.transformer().forward(ids());
        NDArray step0;
        NDArray step5;
        try (InterventionRuntime runtime = runtime(List.of(scheduled))) {
            step0 = model.transformer().forward(ids(), null, null, null, runtime, new HookSite(null, null, 0));
            step5 = model.transformer().forward(ids(), null, null, null, runtime, new HookSite(null, null, 5));
        }

        assertThat(maxDiff(clean, step0)).isZero();
        assertThat(maxDiff(clean, step5)).isGreaterThan(1e-3f);
    }

    @Test
    void aDynamicCompositionPushesTheProjectionTowardItsTarget() {
        float[] direction = new float[64];
        direction[3] = 1;
        Intervention.Compose compose = new Intervention.Compose(
                HookPoints.residPost(0),
                List.of(new Intervention.Compose.Term("trait", direction, null, 4.0, 1.0, -10.0, 10.0)),
                null);
        try (InterventionRuntime runtime =
                runtime(List.of(compose, new Intervention.Capture(HookPoints.residPost(0))))) {
            model.transformer().forward(ids(), null, null, null, runtime, HookSite.PROMPT);
            NDArray after = runtime.captured().get(HookPoints.residPost(0));

            // with gain 1 the last position lands exactly on the target projection
            assertThat(after.get(new NDIndex("0, -1, 3")).getFloat())
                    .isCloseTo(4.0f, org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void badSpecsAreRefusedBeforeAnyForwardPass() {
        assertThatThrownBy(() -> runtime(List.of(new Intervention.Capture("blocks.9.hook_resid_post"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown hook point 'blocks.9.hook_resid_post'")
                .hasMessageContaining("blocks.1.hook_mlp_out");
        assertThatThrownBy(() ->
                        runtime(List.of(new Intervention.Add(HookPoints.HOOK_EMBED, new float[10], 1.0, null, null))))
                .hasMessageContaining("width 10")
                .hasMessageContaining("64");
        assertThatThrownBy(() -> runtime(
                        List.of(new Intervention.Add(HookPoints.HOOK_EMBED, constant(Float.NaN), 1.0, null, null))))
                .hasMessageContaining("non-finite");
    }

    @Test
    void interventionsTravelAsJson() {
        String json = "[{\"op\": \"add\", \"hook\": \"blocks.1.hook_resid_post\", \"vector\": [1, 2], \"scale\": 2.5,"
                + " \"positions\": \"generated\"},"
                + " {\"op\": \"compose\", \"hook\": \"blocks.0.hook_resid_post\", \"terms\": [{\"name\": \"openness\","
                + " \"vector\": [0, 1], \"schedule\": [0.5, 1.0]}], \"positions\": [2, 3]},"
                + " {\"op\": \"sae_splice\", \"hook\": \"blocks.0.hook_resid_post\", \"sae\": \"saes/layer0\"},"
                + " {\"op\": \"capture\", \"hook\": \"hook_embed\"}]";
        JsonMapper mapper = JsonMapper.shared();

        Intervention[] parsed = mapper.readValue(json, Intervention[].class);

        assertThat(parsed[0]).isInstanceOfSatisfying(Intervention.Add.class, a -> {
            assertThat(a.vector()).containsExactly(1f, 2f);
            assertThat(a.positions()).isEqualTo(Positions.GENERATED);
        });
        assertThat(parsed[1]).isInstanceOfSatisfying(Intervention.Compose.class, c -> {
            assertThat(c.positions()).isEqualTo(Positions.of(2, 3));
            assertThat(c.terms().get(0).schedule().at(7)).isEqualTo(1.0);
        });
        assertThat(parsed[2]).isInstanceOf(Intervention.SaeSplice.class);
        String again = mapper.writeValueAsString(parsed);
        assertThat(mapper.readValue(again, Intervention[].class)[1]).isInstanceOf(Intervention.Compose.class);
        assertThat(again).contains("\"op\":\"add\"").contains("\"positions\":\"generated\"");
    }
}

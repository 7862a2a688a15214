package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;
import static dev.lmlab.launcher.demo.DemoStage.ok;
import static dev.lmlab.launcher.demo.DemoStage.submitAndFollow;

import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Interpretability: an activation set captured on the demo causal model (the shipped role-granularity prompts at two
 * layers), the granularity analysis with its PCA statistics, and a small steering sweep along the resulting axis,
 * measured by projection and coherence. The demo models have random weights: the numbers show the machinery, not a
 * finding.
 */
public final class InterpStage implements DemoStage {

    static final String HOOK = "blocks.1.hook_resid_post";

    @Override
    public String title() {
        return "Interpretability: activation set, granularity axis with PCA statistics, steering sweep";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient gw = ctx.gateway();
        String set = submitAndFollow(
                ctx,
                "/api/interp/activation-sets",
                "{\"model\":\"" + ServingStage.CAUSAL + "\",\"input\":\"shipped:role-granularity\",\"hooks\":"
                        + "[\"blocks.0.hook_resid_post\",\"" + HOOK + "\"],\"pooling\":\"mean\","
                        + "\"name\":\"demo: role granularity\"}",
                "demo-interp-set");
        JsonNode s = ok(gw.get("/api/interp/activation-sets/" + set), "reading the set");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "activation set: %d prompts (24 roles × 3 templates) at %s, shape %s",
                        s.get("rows").asInt(),
                        s.get("hooks"),
                        s.get("shapes").get(HOOK)));

        String name = "demo_granularity_" + System.currentTimeMillis();
        JsonNode analysis = ok(
                gw.post(
                        "/api/interp/analyses/granularity",
                        "{\"set\":\"" + set + "\",\"label\":\"role\",\"level\":\"level\",\"variant\":\"variant\","
                                + "\"primary_hook\":\"" + HOOK + "\",\"held_out_splits\":20,\"save_axis\":\"" + name
                                + "\"}"),
                "the granularity analysis");
        JsonNode r = analysis.get("result");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "granularity axis (level 4 − level 1) at %s: |axis| %.3f, |cos(axis, PC1)| %.3f, PC1 explains"
                                + " %.1f%%, Spearman ρ(level, projection) %+.3f, held-out ρ %s",
                        HOOK,
                        r.get("axis_norm").asDouble(),
                        r.get("cos_axis_pc1").asDouble(),
                        100
                                * r.get("pca")
                                        .get("explained_variance_ratio")
                                        .get(0)
                                        .asDouble(),
                        r.get("spearman_rho").asDouble(),
                        number(r.get("held_out").get("rho_mean"))));
        ctx.console().line("  level  labels  projection  95% CI");
        for (JsonNode level : r.get("levels")) {
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "  %5s  %6d  %10.3f  [%.3f, %.3f]",
                            level.get("level").asString(),
                            level.get("n_labels").asInt(),
                            level.get("projection_mean").asDouble(),
                            level.get("ci95").get(0).asDouble(),
                            level.get("ci95").get(1).asDouble()));
        }
        for (JsonNode layer : r.get("by_layer")) {
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "  stability at %s: ρ %s, |cos(axis, PC1)| %s",
                            layer.get("hook").asString(),
                            number(layer.get("spearman_rho")),
                            number(layer.get("cos_axis_pc1"))));
        }
        ctx.console()
                .ok("plots: GET "
                        + analysis.get("plots").get("projection_by_level").asString());

        String sweep = submitAndFollow(
                ctx,
                "/api/interp/experiments/steering",
                "{\"model\":\"" + ServingStage.CAUSAL + "\",\"hook\":\"" + HOOK + "\",\"vector\":\"" + name + "\","
                        + "\"coefficients\":[-16,-8,0,8,16],\"prompts\":[\"Describe your work.\",\"What did you do"
                        + " today?\",\"Give me one piece of advice.\",\"Introduce yourself.\"],\"max_tokens\":12,"
                        + "\"name\":\"demo: steering along the granularity axis\"}",
                "demo-interp-sweep-" + name);
        JsonNode report = ok(gw.get("/api/interp/experiments/" + sweep + "/report"), "the sweep's report");
        ctx.console().line("  coefficient  projection  95% CI              NLL/token  coherent");
        for (JsonNode row : report.get("rows")) {
            JsonNode p = row.get("projection");
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "  %11.1f  %10s  %-18s  %9s  %s",
                            row.get("coefficient").asDouble(),
                            number(p.get("mean")),
                            p.get("ci95").isNull()
                                    ? "–"
                                    : String.format(
                                            Locale.ROOT,
                                            "[%.3f, %.3f]",
                                            p.get("ci95").get(0).asDouble(),
                                            p.get("ci95").get(1).asDouble()),
                            number(row.get("nll_per_token").get("mean")),
                            row.get("coherent").isNull()
                                    ? "–"
                                    : row.get("coherent").asBoolean() ? "yes" : "no"));
        }
        check(report.get("rows").size() == 5, "expected five coefficients in the sweep");
        ctx.console()
                .ok("steering sweep: ρ(coefficient, projection) " + number(report.get("spearman_projection"))
                        + "; report and plot at /api/interp/experiments/" + sweep + "/report, /plot");
        ctx.report("interpretability: a 72-prompt activation set, a granularity axis with PCA and held-out"
                + " statistics, a 5-point steering sweep with projection and coherence");
    }

    private static String number(JsonNode v) {
        return v == null || !v.isNumber() ? "–" : String.format(Locale.ROOT, "%.3f", v.asDouble());
    }
}

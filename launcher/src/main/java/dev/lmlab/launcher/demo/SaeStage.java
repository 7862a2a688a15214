package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;
import static dev.lmlab.launcher.demo.DemoStage.ok;
import static dev.lmlab.launcher.demo.DemoStage.submitAndFollow;

import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Sparse autoencoders: token-level activations of the demo diffusion model, a small Top-K SAE trained on them as a
 * durable run, its held-out metrics and the diffusion-aware splice loss, and the top contexts of a few features.
 */
public final class SaeStage implements DemoStage {

    static final String HOOK = "blocks.0.hook_resid_post";

    @Override
    public String title() {
        return "Sparse autoencoders: a Top-K SAE on the diffusion model, its metrics, splice loss and features";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient gw = ctx.gateway();
        String set = submitAndFollow(
                ctx,
                "/api/interp/activation-sets",
                "{\"model\":\"" + ServingStage.DIFFUSION + "\",\"input\":\"shipped:big-five\",\"hooks\":[\"" + HOOK
                        + "\"],\"pooling\":\"all\",\"name\":\"demo: big-five tokens\"}",
                "demo-sae-set");
        String name = "demo_sae_" + System.currentTimeMillis();
        submitAndFollow(
                ctx,
                "/api/interp/saes/train",
                "{\"set\":\"" + set + "\",\"hook\":\"" + HOOK + "\",\"name\":\"" + name + "\",\"expansion\":4,"
                        + "\"k\":8,\"steps\":300,\"batch_size\":256,\"learning_rate\":0.002}",
                "demo-sae-train-" + name);
        JsonNode sae = ok(gw.get("/api/interp/saes?model=" + ServingStage.DIFFUSION), "listing SAEs")
                .get("saes")
                .valueStream()
                .filter(s -> s.get("name").asString().equals(name))
                .findFirst()
                .orElseThrow();
        String id = sae.get("id").asString();
        JsonNode m = sae.get("metrics");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "SAE %s: d_in %d → d_sae %d, k %d; held-out FVU %.3f, explained variance %.3f, L0 %.1f, dead"
                                + " %.1f%%",
                        name,
                        sae.get("d_in").asInt(),
                        sae.get("d_sae").asInt(),
                        sae.get("k").asInt(),
                        m.get("fvu").asDouble(),
                        m.get("explained_variance").asDouble(),
                        m.get("l0").asDouble(),
                        100 * m.get("dead_fraction").asDouble()));
        JsonNode splice = ok(
                        gw.post(
                                "/api/interp/saes/" + id + "/evaluate",
                                "{\"texts\":[\"I kept to the plan even when the weekend got busy.\",\"After a long day"
                                        + " I like trying a recipe I have never cooked.\"]}"),
                        "the splice evaluation")
                .get("splice");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "spliced in (masked CE over mask ratios 0.05–0.5): clean %.3f, SAE %.3f, zero-ablated %.3f →"
                                + " delta loss %+.3f, CE-loss score %s",
                        splice.get("ce_clean").asDouble(),
                        splice.get("ce_sae").asDouble(),
                        splice.get("ce_zero_ablation").asDouble(),
                        splice.get("delta_loss").asDouble(),
                        splice.get("ce_loss_score").isNumber()
                                ? String.format(
                                        Locale.ROOT,
                                        "%.3f",
                                        splice.get("ce_loss_score").asDouble())
                                : "–"));
        JsonNode features = ok(
                        gw.post(
                                "/api/interp/saes/" + id + "/features",
                                "{\"set\":\"" + set + "\",\"top_contexts\":3,\"window\":6}"),
                        "the feature browser")
                .get("features");
        for (int f = 0; f < Math.min(3, features.size()); f++) {
            JsonNode feature = features.get(f);
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "  feature %d: density %.3f, promotes %s",
                            feature.get("latent").asInt(),
                            feature.get("density").asDouble(),
                            feature.get("promoted").get(0).get("token").asString()));
            for (JsonNode c : feature.get("top_contexts")) {
                StringBuilder text = new StringBuilder();
                for (int t = 0; t < c.get("tokens").size(); t++) {
                    String token = c.get("tokens").get(t).asString();
                    text.append(t == c.get("focus").asInt() ? "[" + token + "]" : token);
                }
                ctx.console()
                        .line(String.format(
                                Locale.ROOT,
                                "    %.2f  %s",
                                c.get("activation").asDouble(),
                                text.toString().replace("\n", " ")));
            }
        }
        check(features.size() > 0, "the feature browser returned no features");
        ctx.report("sparse autoencoders: a Top-K SAE trained on the diffusion model's token activations, held-out"
                + " FVU and L0, the diffusion-aware splice loss, top contexts of its densest features");
    }
}

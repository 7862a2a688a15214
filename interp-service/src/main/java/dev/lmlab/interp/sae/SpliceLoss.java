package dev.lmlab.interp.sae;

import dev.lmlab.interp.peers.InferencePeer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;

/**
 * The model's loss with the SAE spliced in at its hook, against the clean model and against zero-ablating the hook:
 * delta loss = CE_SAE − CE_clean and the CE-loss score (CE_zero − CE_SAE) / (CE_zero − CE_clean), 1 when splicing
 * costs nothing, 0 when it is as bad as deleting the hook. All three run in the inference service on the same texts.
 * For a causal model CE is the next-token loss over every token but the first. For a masked-diffusion model it is the
 * masked-token CE averaged over mask ratios 0.05, 0.10, …, 0.50 (a seeded random mask per text and ratio, the first
 * token never masked): the diffusion-aware delta loss.
 */
final class SpliceLoss {

    static final double[] MASK_RATIOS = {0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50};

    private SpliceLoss() {}

    static Map<String, Object> of(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            String hook,
            String saeFolder,
            List<String> texts,
            int maskTokenId,
            long seed) {
        List<long[]> ids = inference.tokenIds(model.id(), texts);
        List<Object> none = List.of();
        List<Object> splice = List.of(Map.of("op", "sae_splice", "hook", hook, "sae", saeFolder));
        List<Object> zero = List.of(Map.of("op", "zero_ablate", "hook", hook));
        double clean = ce(inference, model, ids, none, maskTokenId, seed);
        double sae = ce(inference, model, ids, splice, maskTokenId, seed);
        double ablated = ce(inference, model, ids, zero, maskTokenId, seed);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("texts", texts.size());
        out.put("objective", model.diffusion() ? "masked_ce_over_ratios_0.05_to_0.5" : "next_token_ce");
        out.put("ce_clean", clean);
        out.put("ce_sae", sae);
        out.put("ce_zero_ablation", ablated);
        out.put("delta_loss", sae - clean);
        out.put("ce_loss_score", ablated == clean ? null : (ablated - sae) / (ablated - clean));
        return out;
    }

    private static double ce(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            List<long[]> texts,
            List<Object> interventions,
            int maskTokenId,
            long seed) {
        double sum = 0;
        long count = 0;
        for (int t = 0; t < texts.size(); t++) {
            long[] ids = texts.get(t);
            if (!model.diffusion()) {
                JsonNode lp = score(inference, model, ids, null, interventions).get("token_logprobs");
                for (int i = 1; i < lp.size(); i++) {
                    sum -= lp.get(i).asDouble();
                    count++;
                }
                continue;
            }
            for (int r = 0; r < MASK_RATIOS.length; r++) {
                long[] masked = ids.clone();
                long[] targets = new long[ids.length];
                java.util.Arrays.fill(targets, -100);
                SplittableRandom random = new SplittableRandom(seed * 7919 + t * 131L + r);
                int toMask = Math.max(1, (int) Math.round(MASK_RATIOS[r] * (ids.length - 1)));
                int[] order = dev.lmlab.core.util.Permutations.of(ids.length - 1, random);
                for (int m = 0; m < toMask; m++) {
                    int p = order[m] + 1;
                    masked[p] = maskTokenId;
                    targets[p] = ids[p];
                }
                JsonNode lp =
                        score(inference, model, masked, targets, interventions).get("token_logprobs");
                double ratioSum = 0;
                int ratioCount = 0;
                for (int i = 0; i < lp.size(); i++) {
                    if (lp.get(i).isNumber()) {
                        ratioSum -= lp.get(i).asDouble();
                        ratioCount++;
                    }
                }
                // each ratio weighs equally, however many tokens it masks
                sum += ratioCount == 0 ? 0 : ratioSum / ratioCount;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static JsonNode score(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            long[] ids,
            long[] targets,
            List<Object> interventions) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model.id());
        request.put("input_ids", ids);
        if (targets != null) {
            List<Long> t = new ArrayList<>();
            for (long v : targets) {
                if (v >= 0) {
                    t.add(v);
                }
            }
            request.put("target_ids", t);
        }
        if (!interventions.isEmpty()) {
            request.put("interventions", interventions);
        }
        return inference.score(request);
    }
}

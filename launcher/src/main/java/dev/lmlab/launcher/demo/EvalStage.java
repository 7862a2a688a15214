package dev.lmlab.launcher.demo;

import static dev.lmlab.launcher.demo.DemoStage.check;
import static dev.lmlab.launcher.demo.DemoStage.ok;
import static dev.lmlab.launcher.demo.DemoStage.submitAndFollow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Evaluation: the shipped benchmarks in the registry, both demo models graded on the toy benchmark with four trials
 * per item (report table with intervals, pass@k and pass^k, and a paired comparison), the ImplicitMemBench-shaped
 * suite run as real three-phase sessions, a judge whose unreadable verdicts are counted rather than scored, and a
 * webhook trigger fired twice for one event.
 */
public final class EvalStage implements DemoStage {

    static final String SESSION_MODEL = "demo-llama-long";
    private static final int TRIALS = 4;

    @Override
    public String title() {
        return "Evaluation: benchmark registry, k-trial runs with pass@k / pass^k, ImplicitMemBench sessions, triggers";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        GatewayClient gw = ctx.gateway();
        JsonNode list = ok(gw.get("/api/eval/benchmarks"), "listing benchmarks");
        for (JsonNode b : list.get("benchmarks")) {
            ctx.console()
                    .ok(String.format(
                            Locale.ROOT,
                            "benchmark %s: %d items, %s, tags %s",
                            b.get("id").asString(),
                            b.get("item_count").asInt(),
                            b.get("protocol").asString(),
                            b.get("tag_counts")));
        }

        // both demo models, k trials per item, the same seeds
        List<JsonNode> reports = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        for (String model : List.of(ServingStage.CAUSAL, ServingStage.DIFFUSION)) {
            String body = "{\"benchmark\":\"toy-letters\",\"target\":{\"model\":\"" + model + "\"},\"trials\":" + TRIALS
                    + ",\"seed\":1,\"concurrency\":8,\"name\":\"demo: toy-letters on " + model + "\"}";
            String id = submitAndFollow(ctx, "/api/eval/runs", body, "demo-eval-" + model);
            runIds.add(id);
            reports.add(ok(gw.get("/api/eval/runs/" + id + "/report"), "report of " + model));
        }
        ctx.console().line("  model        items  accuracy  95% CI          pass@1..4                pass^1..4");
        for (JsonNode r : reports) {
            ctx.console()
                    .line(String.format(
                            Locale.ROOT,
                            "  %-12s %5d  %8.3f  [%.3f, %.3f]  %s  %s",
                            r.get("target").asString().replace("inference:", ""),
                            r.get("items_scored").asInt(),
                            r.get("accuracy").asDouble(),
                            r.get("accuracy_ci95").get(0).asDouble(),
                            r.get("accuracy_ci95").get(1).asDouble(),
                            curve(r.get("pass_at_k")),
                            curve(r.get("pass_hat_k"))));
            check(
                    r.get("trials_graded").asInt() == 12 * TRIALS,
                    "expected 48 graded trials: " + r.get("trials_graded"));
            for (int k = 2; k <= TRIALS; k++) {
                check(
                        r.get("pass_at_k").get(String.valueOf(k)).asDouble()
                                >= r.get("pass_at_k").get(String.valueOf(k - 1)).asDouble(),
                        "pass@k must not fall with k");
            }
        }
        ctx.console().line("  (random weights: pass@k rises and pass^k falls with k, as sampling alone predicts)");
        JsonNode cmp = ok(gw.get("/api/eval/runs/compare?a=" + runIds.get(0) + "&b=" + runIds.get(1)), "comparing");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "GET /api/eval/runs/compare: %d paired items, mean difference %+.3f [%.3f, %.3f], improved %s,"
                                + " regressed %s",
                        cmp.get("paired_items").asInt(),
                        cmp.get("mean_difference").asDouble(),
                        cmp.get("mean_difference_ci95").get(0).asDouble(),
                        cmp.get("mean_difference_ci95").get(1).asDouble(),
                        cmp.get("flipped").get("improved"),
                        cmp.get("flipped").get("regressed")));

        // ImplicitMemBench-shaped sessions on a tiny model with room for the conversation
        GatewayClient.Response registered = gw.post(
                "/api/inference/models/tiny",
                "{\"id\":\"" + SESSION_MODEL + "\",\"family\":\"llama\",\"seed\":7,\"max_positions\":4096}");
        check(registered.status() == 200 || registered.status() == 201, "registering " + SESSION_MODEL);
        String memory = submitAndFollow(
                ctx,
                "/api/eval/runs",
                "{\"benchmark\":\"implicitmem-mini\",\"target\":{\"model\":\"" + SESSION_MODEL
                        + "\"},\"max_tokens\":16,\"concurrency\":8,\"name\":\"demo: implicitmem-mini\"}",
                "demo-eval-memory");
        JsonNode im = ok(gw.get("/api/eval/runs/" + memory + "/report"), "implicit-memory report")
                .get("implicit_memory");
        ctx.console().ok("implicitmem-mini on " + SESSION_MODEL + " (learning → interference → test, first attempt):");
        ctx.console().line("  group          items  score   95% CI");
        row(ctx, "overall", im.get("overall"));
        im.get("by_construct").properties().forEach(e -> row(ctx, e.getKey(), e.getValue()));
        im.get("by_polarity").properties().forEach(e -> row(ctx, e.getKey(), e.getValue()));
        JsonNode priming = im.get("priming_effect");
        ctx.console()
                .line(String.format(
                        Locale.ROOT,
                        "  priming effect (experimental − control, %d pairs): %+.3f",
                        priming.get("pairs").asInt(),
                        priming.get("effect").asDouble()));
        check(im.get("overall").get("items").asInt() == 30, "expected 30 scored sessions (38 less 8 controls)");

        // a judge that cannot follow a rubric: every verdict is a counted judge error, never a silent zero
        String judged = submitAndFollow(
                ctx,
                "/api/eval/runs",
                "{\"benchmark\":\"toy-letters\",\"target\":{\"model\":\"" + ServingStage.CAUSAL
                        + "\"},\"trials\":1,\"grader\":{\"type\":\"judge\",\"target\":{\"model\":\""
                        + ServingStage.CAUSAL
                        + "\"},\"max_tokens\":24,\"rubric\":[{\"name\":\"correct\",\"description\":\"does "
                        + "the task\"}]},"
                        + "\"name\":\"demo: judged by a random model\"}",
                "demo-eval-judge");
        JsonNode jr = ok(gw.get("/api/eval/runs/" + judged + "/report"), "judged report");
        ctx.console()
                .ok(String.format(
                        Locale.ROOT,
                        "LLM judge (the random demo model): %d judge errors recorded with its raw output, "
                                + "%d trials scored",
                        jr.get("judge_errors").asInt(),
                        jr.get("trials_graded").asInt()));

        // a webhook trigger: the same event twice starts one run
        JsonNode trigger = ok(
                gw.post(
                        "/api/eval/triggers",
                        "{\"name\":\"demo-deploy-hook-" + System.currentTimeMillis()
                                + "\",\"event\":\"webhook\",\"benchmarks\":[\"toy-letters\"],"
                                + "\"run\":{\"trials\":1,\"max_tokens\":4},"
                                + "\"target\":{\"model\":\"" + ServingStage.CAUSAL + "\"}}"),
                "creating a trigger");
        String fire = "/api/eval/triggers/" + trigger.get("id").asString() + "/fire";
        JsonNode once = ok(gw.post(fire, "{\"event_id\":\"deploy-1\"}"), "firing the trigger");
        JsonNode twice = ok(gw.post(fire, "{\"event_id\":\"deploy-1\"}"), "firing it again");
        String started = once.get("runs").get(0).get("id").asString();
        check(
                twice.get("replayed").asBoolean()
                        && twice.get("runs").get(0).get("id").asString().equals(started),
                "the same webhook event started a second run");
        ctx.console()
                .ok("webhook trigger fired twice with event_id deploy-1: one run (" + started + "), the second"
                        + " call replayed");
        RunWatcher.follow(ctx, started, e -> {});

        ctx.report(String.format(
                Locale.ROOT,
                "evaluation: toy-letters × 2 models × %d trials with pass@k/pass^k and intervals, a paired comparison,"
                        + " 38 implicit-memory sessions, judge errors counted, a webhook trigger fired once per event",
                TRIALS));
    }

    private static void row(DemoContext ctx, String name, JsonNode s) {
        ctx.console()
                .line(String.format(
                        Locale.ROOT,
                        "  %-14s %5d  %s  %s",
                        name,
                        s.get("items").asInt(),
                        s.get("mean_score").isNull()
                                ? "  –  "
                                : String.format(
                                        Locale.ROOT, "%.3f", s.get("mean_score").asDouble()),
                        s.get("mean_score_ci95").isNull()
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        "[%.3f, %.3f]",
                                        s.get("mean_score_ci95").get(0).asDouble(),
                                        s.get("mean_score_ci95").get(1).asDouble())));
    }

    private static String curve(JsonNode c) {
        StringBuilder s = new StringBuilder();
        for (int k = 1; k <= TRIALS; k++) {
            s.append(k == 1 ? "" : " ")
                    .append(String.format(
                            Locale.ROOT, "%.2f", c.get(String.valueOf(k)).asDouble()));
        }
        return s.toString();
    }
}

package dev.lmlab.launcher.tabom;

import dev.lmlab.launcher.demo.GatewayClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the experiment measured, read back from the run registry: per method and seed the greedy accuracy on both
 * domains, pass@k from the sampled evaluations and the training curves; and the same measurements of the base.
 */
public final class TabomResults {

    /** One post-training run and its evaluations. */
    record SeedResult(
            int seed,
            String trainingRun,
            double greedyB,
            double greedyA,
            double[] passAtKB,
            double[] passAtKA,
            double[] lossSteps,
            double[] loss,
            double[] rank) {}

    final TabomBudget budget;
    final String pretrainRun;
    final String trajectoryRun;
    final String baseModel;
    final Map<String, List<SeedResult>> methods;
    final double baseGreedyB;
    final double baseGreedyA;
    final double[] basePassAtKB;
    final double[] basePassAtKA;
    final double[] pretrainLoss;
    private double seconds;

    private TabomResults(
            TabomBudget budget,
            String pretrainRun,
            String trajectoryRun,
            String baseModel,
            Map<String, List<SeedResult>> methods,
            double baseGreedyB,
            double baseGreedyA,
            double[] basePassAtKB,
            double[] basePassAtKA,
            double[] pretrainLoss) {
        this.budget = budget;
        this.pretrainRun = pretrainRun;
        this.trajectoryRun = trajectoryRun;
        this.baseModel = baseModel;
        this.methods = methods;
        this.baseGreedyB = baseGreedyB;
        this.baseGreedyA = baseGreedyA;
        this.basePassAtKB = basePassAtKB;
        this.basePassAtKA = basePassAtKA;
        this.pretrainLoss = pretrainLoss;
    }

    static TabomResults collect(
            GatewayClient gw,
            TabomBudget budget,
            String pretrainRun,
            String trajectoryRun,
            String base,
            Map<String, List<String>> runs,
            Map<String, List<String>> models,
            Map<String, String[]> sampled,
            Map<String, String[]> greedy,
            String[] baseSampled,
            List<String> methods)
            throws Exception {
        Map<String, List<SeedResult>> out = new LinkedHashMap<>();
        for (String method : methods) {
            List<SeedResult> seeds = new ArrayList<>();
            List<String> ids = runs.get(method);
            for (int i = 0; i < ids.size(); i++) {
                String run = ids.get(i);
                String[] g = greedy.get(models.get(method).get(i));
                double[][] loss = history(gw, run, "loss");
                double[][] rank = history(gw, run, "loss.rank");
                seeds.add(new SeedResult(
                        i + 1,
                        run,
                        last(gw, g[0], "accuracy"),
                        last(gw, g[1], "accuracy"),
                        history(gw, sampled.get(run)[0], "pass_at_k")[1],
                        history(gw, sampled.get(run)[1], "pass_at_k")[1],
                        loss[0],
                        loss[1],
                        rank[1]));
            }
            out.put(method, seeds);
        }
        String[] g = greedy.get(base);
        return new TabomResults(
                budget,
                pretrainRun,
                trajectoryRun,
                base,
                out,
                last(gw, g[0], "accuracy"),
                last(gw, g[1], "accuracy"),
                history(gw, baseSampled[0], "pass_at_k")[1],
                history(gw, baseSampled[1], "pass_at_k")[1],
                history(gw, pretrainRun, "loss")[1]);
    }

    public int methodCount() {
        return methods.size();
    }

    void setSeconds(double seconds) {
        this.seconds = seconds;
    }

    double seconds() {
        return seconds;
    }

    /** [steps, values] of a metric's history. */
    static double[][] history(GatewayClient gw, String run, String key) throws Exception {
        JsonNode body = TabomExperiment.ok(
                TabomExperiment.call(() -> gw.get("/api/runs/" + run + "/metrics?key=" + key + "&limit=100000")),
                "reading " + key + " of " + run);
        JsonNode points = body.get("points");
        double[][] out = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            out[0][i] = points.get(i).get("step").asDouble();
            out[1][i] = points.get(i).get("value").asDouble();
        }
        return out;
    }

    private static double last(GatewayClient gw, String run, String key) throws Exception {
        double[] values = history(gw, run, key)[1];
        if (values.length == 0) {
            throw new IllegalStateException("run " + run + " recorded no " + key);
        }
        return values[values.length - 1];
    }
}

package dev.lmlab.launcher.tabom;

import dev.lmlab.launcher.Console;
import dev.lmlab.launcher.demo.GatewayClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The toy reproduction of the TABOM experiment, driven entirely through the gateway as a researcher would:
 *
 * <ol>
 *   <li>write the two synthetic domains ({@code POST /api/training/toy-domains});
 *   <li>pretrain a tiny LLaDA-style model on domain A;
 *   <li>generate reference-guided self-distilled trajectories on domain B with the inference service;
 *   <li>post-train three ways from that base with equal budgets (NELBO-SFT on the ground truth,
 *       trajectory-NELBO, TABOM), for several seeds; each final checkpoint is graded automatically by the eval
 *       service (pass@k on both domains), and the driver adds greedy accuracy runs;
 *   <li>collect everything into {@link TabomResults}.
 * </ol>
 *
 * Every submission carries an Idempotency-Key derived from the budget, so running the command again after an
 * interruption picks up the runs that already exist instead of starting them twice.
 */
public final class TabomExperiment {

    static final JsonMapper JSON = JsonMapper.shared();
    static final List<String> METHODS = List.of("nelbo_sft", "trajectory_nelbo", "tabom");

    private final GatewayClient gw;
    private final Console console;
    private final TabomBudget budget;
    private final String tag;
    /** The earliest creation time among the runs this invocation waits for (runs may come from an earlier one). */
    private java.time.Instant earliest = java.time.Instant.now();

    public TabomExperiment(GatewayClient gw, Console console, TabomBudget budget, String tag) {
        this.gw = gw;
        this.console = console;
        this.budget = budget;
        this.tag = tag;
    }

    public TabomResults run() throws Exception {
        long start = System.nanoTime();

        // 1. the domains
        JsonNode domains = ok(
                gw.post("/api/training/toy-domains", "{\"seed\":0,\"entities\":" + budget.entities() + "}"),
                "writing the toy domains");
        JsonNode files = domains.get("files");
        console.ok("domains: " + budget.entities() + " entities; A: \""
                + domains.get("example_a").get("prompt").asString()
                + domains.get("example_a").get("answer").asString() + "\", B: \""
                + domains.get("example_b").get("prompt").asString()
                + domains.get("example_b").get("answer").asString()
                + "\"");

        // 2. pretraining on domain A
        String base = "tabom-base-" + tag;
        ObjectNode pretrain = params(budget.pretrainLr(), budget.pretrainSteps(), 1, base);
        pretrain.set(
                "architecture",
                JSON.readTree(String.format(
                        Locale.ROOT,
                        "{\"family\":\"llada\",\"hidden\":%d,\"layers\":%d,\"heads\":4,\"max_positions\":64}",
                        budget.hidden(),
                        budget.layers())));
        pretrain.put("dataset", files.get("pretrain").asString());
        // no eos: a bidirectional model sees how long its input is, and if every training text ended in eos it
        // would put eos in the last of the four answer positions it is asked to fill
        pretrain.put("append_eos", false);
        pretrain.put("warmup_steps", Math.max(1, budget.pretrainSteps() / 20));
        String pretrainRun = submit("/api/training/jobs", "pretrain", "tabom pretrain domain A", pretrain, "pretrain");
        await(List.of(pretrainRun), "pretraining on domain A (" + budget.pretrainSteps() + " steps)");

        // 3. guided self-distilled trajectories on domain B
        ObjectNode trajectories = JSON.createObjectNode();
        trajectories.put("model", base);
        trajectories.put("input", files.get("domain_b_train").asString());
        trajectories.put("chat", false);
        trajectories.put("batch", 16);
        String trajectoryRun = submit(
                "/api/inference/jobs", "trajectory-generation", "tabom trajectories domain B", trajectories, "traj");
        await(List.of(trajectoryRun), "guided trajectories on domain B");
        String trajectoryFile = "runs/" + trajectoryRun + "/trajectories.jsonl";

        // 4. post-training, three methods x seeds, each final checkpoint graded automatically
        Map<String, List<String>> runs = new LinkedHashMap<>();
        Map<String, List<String>> trained = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (String method : METHODS) {
            runs.put(method, new ArrayList<>());
            trained.put(method, new ArrayList<>());
            for (int seed = 1; seed <= budget.seeds(); seed++) {
                ObjectNode p = params(budget.postLr(), budget.postSteps(), seed, model(method, seed));
                p.put("base_model", base);
                if (method.equals("nelbo_sft")) {
                    p.put("dataset", files.get("domain_b_train").asString());
                    p.put("append_eos", false); // trajectories carry the four answer tokens only: equal footing
                } else {
                    p.put("dataset", trajectoryFile);
                    p.put("window", 4);
                }
                if (method.equals("tabom")) {
                    p.put("lambda", 1.0);
                    p.put("tau", 1.0);
                }
                ObjectNode evaluation = p.putObject("evaluation");
                evaluation
                        .putArray("benchmarks")
                        .add(files.get("domain_b_items").asString())
                        .add(files.get("domain_a_items").asString());
                evaluation.set("settings", sampling());
                String id = submit(
                        "/api/training/jobs", method, "tabom " + method + " seed " + seed, p, method + "-" + seed);
                runs.get(method).add(id);
                trained.get(method).add(model(method, seed));
                all.add(id);
            }
        }
        await(
                all,
                "post-training " + METHODS.size() + " methods x " + budget.seeds() + " seeds (" + budget.postSteps()
                        + " steps each)");

        // greedy accuracy on both domains, for every post-trained model and the base
        Map<String, String[]> greedy = new LinkedHashMap<>();
        List<String> models = new ArrayList<>(List.of(base));
        trained.values().forEach(models::addAll);
        List<String> greedyRuns = new ArrayList<>();
        for (String m : models) {
            String[] pair = new String[2];
            for (int d = 0; d < 2; d++) {
                ObjectNode p = JSON.createObjectNode();
                p.put("model", m);
                p.put(
                        "items",
                        files.get(d == 0 ? "domain_b_items" : "domain_a_items").asString());
                p.put("max_tokens", 4);
                p.put("steps", 4);
                pair[d] = submit(
                        "/api/eval/jobs",
                        "benchmark",
                        "greedy " + m + (d == 0 ? " B" : " A"),
                        p,
                        "greedy-" + m + "-" + d);
                greedyRuns.add(pair[d]);
            }
            greedy.put(m, pair);
        }
        // the base model's pass@k, for the knowledge-boundary picture
        String[] baseSampled = new String[2];
        for (int d = 0; d < 2; d++) {
            ObjectNode p = (ObjectNode) sampling().deepCopy();
            p.put("model", base);
            p.put(
                    "items",
                    files.get(d == 0 ? "domain_b_items" : "domain_a_items").asString());
            baseSampled[d] = submit(
                    "/api/eval/jobs", "benchmark", "sampled " + base + (d == 0 ? " B" : " A"), p, "sampled-base-" + d);
            greedyRuns.add(baseSampled[d]);
        }
        List<String> autoRuns = new ArrayList<>();
        Map<String, String[]> sampled = new LinkedHashMap<>();
        for (String id : all) {
            String[] pair = childEvaluations(id, files);
            sampled.put(id, pair);
            autoRuns.add(pair[0]);
            autoRuns.add(pair[1]);
        }
        autoRuns.addAll(greedyRuns);
        await(autoRuns, "grading (pass@k from the automatic checkpoint evaluations, greedy accuracy)");

        TabomResults results = TabomResults.collect(
                gw, budget, pretrainRun, trajectoryRun, base, runs, trained, sampled, greedy, baseSampled, METHODS);
        results.setSeconds((System.nanoTime() - start) / 1e9);
        return results;
    }

    private String model(String method, int seed) {
        return "tabom-" + method.replace('_', '-') + "-s" + seed + "-" + tag;
    }

    private ObjectNode params(double lr, int steps, int seed, String modelId) {
        ObjectNode p = JSON.createObjectNode();
        p.put("learning_rate", lr);
        p.put("max_steps", steps);
        p.put("batch_size", budget.batch());
        p.put("seed", seed);
        p.put("model_id", modelId);
        return p;
    }

    private ObjectNode sampling() {
        ObjectNode s = JSON.createObjectNode();
        s.put("samples", budget.samples());
        s.put("temperature", 1.0);
        s.put("max_tokens", 4);
        s.put("steps", 4);
        return s;
    }

    /** The eval runs the training run's final checkpoint started: [domain B, domain A]. */
    private String[] childEvaluations(String trainingRun, JsonNode files) throws Exception {
        String[] pair = new String[2];
        JsonNode page = ok(call(() -> gw.get("/api/runs?parent=" + trainingRun + "&size=50")), "listing evaluations");
        for (JsonNode r : page.get("items")) {
            String items = r.get("params").get("items").asString();
            noteCreated(r);
            if (items.equals(files.get("domain_b_items").asString())) {
                pair[0] = r.get("id").asString();
            } else if (items.equals(files.get("domain_a_items").asString())) {
                pair[1] = r.get("id").asString();
            }
        }
        if (pair[0] == null || pair[1] == null) {
            throw new IllegalStateException("training run " + trainingRun + " did not start both evaluations; its"
                    + " events say why (GET /api/runs/" + trainingRun + "/events?format=json)");
        }
        return pair;
    }

    private String submit(String path, String kind, String name, ObjectNode params, String key) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("kind", kind);
        body.put("name", name);
        body.set("params", params);
        body.putObject("tags").put("experiment", "tabom-" + tag);
        GatewayClient.Response r = call(() -> gw.post(path, body.toString(), "tabom-" + tag + "-" + key));
        JsonNode run = ok(r, "submitting " + name);
        noteCreated(run);
        return run.get("id").asString();
    }

    /**
     * Waits for runs, drawing one progress bar for all of them; fails with the first failure's reason. One list
     * request per poll (runs created since the experiment started), so a wait for dozens of runs stays far below the
     * key's rate limit.
     */
    private void await(List<String> ids, String what) throws Exception {
        long start = System.nanoTime();
        java.util.Set<String> wanted = new java.util.HashSet<>(ids);
        while (true) {
            Map<String, JsonNode> seen = new LinkedHashMap<>();
            for (int page = 0; seen.size() < wanted.size(); page++) {
                String after = earliest.minusSeconds(1).toString();
                int p = page;
                JsonNode list = ok(
                        call(() -> gw.get("/api/runs?created_after=" + after + "&size=500&page=" + p)), "listing runs");
                for (JsonNode run : list.get("items")) {
                    if (wanted.contains(run.get("id").asString())) {
                        seen.put(run.get("id").asString(), run);
                    }
                }
                if ((page + 1) * 500L >= list.get("total").asLong()) {
                    break;
                }
            }
            double progress = 0;
            int done = 0;
            for (JsonNode run : seen.values()) {
                String status = run.get("status").asString();
                if (status.equals("FAILED") || status.equals("CANCELLED")) {
                    console.endStatus();
                    throw new IllegalStateException(
                            run.get("name").asString() + " (" + run.get("id").asString() + ") " + status + ": "
                                    + run.path("error").asString());
                }
                done += status.equals("SUCCEEDED") ? 1 : 0;
                progress +=
                        status.equals("SUCCEEDED") ? 1 : run.path("progress").asDouble();
            }
            double fraction = progress / ids.size();
            console.status(
                    String.format(
                            Locale.ROOT,
                            "%s %3.0f%%  %d/%d runs  %5.0f s  %s",
                            Console.bar(fraction, 30),
                            fraction * 100,
                            done,
                            ids.size(),
                            (System.nanoTime() - start) / 1e9,
                            what),
                    false);
            if (done == ids.size()) {
                console.endStatus();
                console.ok(String.format(
                        Locale.ROOT, "%s: %d run(s) in %.0f s", what, ids.size(), (System.nanoTime() - start) / 1e9));
                return;
            }
            Thread.sleep(1000);
        }
    }

    private void noteCreated(JsonNode run) {
        java.time.Instant created =
                java.time.Instant.parse(run.get("created_at").asString());
        if (created.isBefore(earliest)) {
            earliest = created;
        }
    }

    /** A gateway call, waiting out the key's rate limit (429 with Retry-After) instead of failing. */
    static GatewayClient.Response call(Request request) throws Exception {
        for (int attempt = 0; ; attempt++) {
            GatewayClient.Response r = request.send();
            if (r.status() != 429 || attempt >= 30) {
                return r;
            }
            String after = r.header("Retry-After");
            Thread.sleep(1000L * (after == null ? 1 : Math.max(1, Integer.parseInt(after.trim()))));
        }
    }

    @FunctionalInterface
    interface Request {
        GatewayClient.Response send() throws Exception;
    }

    static JsonNode ok(GatewayClient.Response r, String what) throws IOException {
        if (r.status() / 100 != 2) {
            throw new IOException(what + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }
}

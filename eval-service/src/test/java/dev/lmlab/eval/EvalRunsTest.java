package dev.lmlab.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.testing.ChildJvm;
import dev.lmlab.testing.PeerServices;
import dev.lmlab.testing.ServiceCalls;
import dev.lmlab.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Eval runs end to end over HTTP: the benchmark registry, runs against a real inference service and against
 * external OpenAI-compatible endpoints (scripted, on loopback), judges, the ImplicitMemBench protocol, reports,
 * comparisons and triggers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EvalRunsTest {

    static final String TOKEN = "eval-runs-token";
    static final JsonMapper JSON = JsonMapper.shared();
    static final Path HOME = ServiceCalls.home("lmlab-eval-runs");
    static final String DB = TestPostgres.createDatabase();
    static final ScriptedModel VENDOR;
    static final ScriptedModel JUDGE;
    static final ScriptedModel AGENT;
    static final int CLOSED_PORT;

    static {
        try {
            // a vendor model that answers "4" to sums and repeats the task otherwise
            VENDOR = new ScriptedModel(r -> ScriptedModel.lastUserText(r).contains("2 + 2") ? "4" : "ok");
            // a judge that gives a verdict for responses containing "4" and rambles otherwise
            JUDGE = new ScriptedModel(r -> ScriptedModel.lastUserText(r).contains("Response to grade:\n4")
                    ? "{\"scores\": {\"correct\": 1}, \"rationale\": \"matches\"}"
                    : "I would rather not say.");
            // an agent that applies the kelvin rule when its conversation taught it, and says "ok" otherwise
            AGENT = new ScriptedModel(r -> r.get("messages").toString().contains("kelvin")
                            && ScriptedModel.lastUserText(r).contains("logbook")
                    ? "Logbook: cold room at 277.15 K."
                    : "ok");
            CLOSED_PORT = ChildJvm.freePort();
            Files.createDirectories(HOME.resolve("secrets/eval"));
            Files.writeString(HOME.resolve("secrets/eval/vendor.key"), "sk-vendor-test");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        PeerServices.besideInference(registry, HOME, TOKEN, DB);
        registry.add(
                "lmlab.eval.allowed-endpoints",
                () -> String.join(
                        ",",
                        VENDOR.baseUrl(),
                        JUDGE.baseUrl(),
                        AGENT.baseUrl(),
                        "http://127.0.0.1:" + CLOSED_PORT + "/v1"));
    }

    @LocalServerPort
    int port;

    @Autowired
    RunRegistry registry;

    EvalApi api;

    @BeforeEach
    void api() {
        api = new EvalApi(TOKEN, "http://127.0.0.1:" + port, registry);
    }

    void model(String id) throws Exception {
        HttpResponse<String> r = new ServiceCalls(TOKEN)
                .post(
                        PeerServices.inference(HOME, TOKEN, DB),
                        "/models/tiny",
                        "{\"id\":\"" + id + "\",\"family\":\"llama\"}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    static String importBody(String spec, List<String> items) {
        return "{\"spec\":" + spec + ",\"items_jsonl\":" + JSON.writeValueAsString(String.join("\n", items)) + "}";
    }

    static final String QA_SPEC = "{\"name\":\"qa\",\"prompt_template\":\"Q: {{question}}\\nA:\",\"grader\":{\"type\":"
            + "\"exact\"},\"trials\":2,\"max_tokens\":4}";

    @Test
    void anImportIsCheckedWholeAndAVersionIsImmutableOnceARunUsedIt() throws Exception {
        JsonNode p = ServiceCalls.problem(
                api.post(
                        "/benchmarks",
                        importBody(
                                QA_SPEC,
                                List.of(
                                        "{\"id\":\"a\",\"question\":\"x\",\"answer\":\"1\"}",
                                        "",
                                        "{\"question\":\"y\",\"answer\":\"2\"}"))),
                400,
                "invalid-benchmark");
        assertThat(p.get("line").asInt()).isEqualTo(3);
        assertThat(p.get("detail").asString()).contains("'id' is missing");
        p = ServiceCalls.problem(
                api.post(
                        "/benchmarks",
                        importBody(
                                QA_SPEC,
                                List.of(
                                        "{\"id\":\"a\",\"question\":\"x\",\"answer\":\"1\"}",
                                        "{\"id\":\"a\",\"question\":\"y\",\"answer\":\"2\"}"))),
                400,
                "invalid-benchmark");
        assertThat(p.get("line").asInt()).isEqualTo(2);
        p = ServiceCalls.problem(
                api.post(
                        "/benchmarks",
                        importBody(
                                QA_SPEC,
                                List.of(
                                        "{\"id\":\"a\",\"question\":\"x\",\"answer\":\"1\"}",
                                        "{\"id\":\"b\",\"answer\":\"2\"}"))),
                400,
                "invalid-benchmark");
        assertThat(p.get("detail").asString()).contains("line 2", "[question]");
        p = ServiceCalls.problem(
                api.post("/benchmarks", importBody(QA_SPEC, List.of("{\"id\":\"a\",\"question\":\"x\"}"))),
                400,
                "invalid-benchmark");
        assertThat(p.get("detail").asString()).contains("'answer'");
        ServiceCalls.problem(
                api.post(
                        "/benchmarks",
                        importBody(
                                QA_SPEC.replace("\"trials\":2", "\"trails\":2"),
                                List.of("{\"id\":\"a\",\"question\":\"x\",\"answer\":\"1\"}"))),
                400,
                "invalid-spec");
        ServiceCalls.problem(api.post("/benchmarks", "{\"spec\": "), 400, "malformed-body");
        ServiceCalls.problem(api.get("/benchmarks/qa"), 404, "unknown-benchmark");

        String yaml = "name: qa\nprompt_template: \"Q: {{question}}\\nA:\"\ngrader:\n  type: exact\ntrials: "
                + "2\nmax_tokens: 4\n";
        List<String> items = List.of(
                "{\"id\":\"a\",\"question\":\"x\",\"answer\":\"1\",\"tags\":[\"easy\"]}",
                "{\"id\":\"b\",\"question\":\"y\",\"answer\":\"2\",\"tags\":[\"easy\",\"math\"]}");
        String body = "{\"spec_yaml\":" + JSON.writeValueAsString(yaml) + ",\"items_jsonl\":"
                + JSON.writeValueAsString(String.join("\n", items)) + "}";
        HttpResponse<String> created = api.post("/benchmarks", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode b = JSON.readTree(created.body());
        assertThat(b.get("id").asString()).isEqualTo("qa@1");
        assertThat(b.get("tag_counts").get("easy").asInt()).isEqualTo(2);
        assertThat(b.get("tag_counts").get("math").asInt()).isEqualTo(1);
        assertThat(api.ok(api.post("/benchmarks", body)).get("outcome").asString())
                .isEqualTo("unchanged");

        String changed = body.replace("answer\\\":\\\"2", "answer\\\":\\\"3");
        assertThat(changed).isNotEqualTo(body);
        JsonNode second = api.ok(api.post("/benchmarks", changed));
        assertThat(second.get("id").asString()).isEqualTo("qa@2");
        assertThat(api.ok(api.get("/benchmarks/qa")).get("version").asString())
                .as("latest")
                .isEqualTo("2");

        model("qa-model");
        Run run = api.run("{\"benchmark\":\"qa@1\",\"target\":{\"model\":\"qa-model\"},\"trials\":1}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(api.ok(api.get("/benchmarks/qa@1")).get("used").asBoolean()).isTrue();
        String explicitV1 = changed.replace("name: qa\\n", "name: qa\\nversion: \\\"1\\\"\\n");
        ServiceCalls.problem(api.post("/benchmarks", explicitV1), 409, "benchmark-version-used");
        assertThat(api.ok(api.get("/benchmarks/qa@1/items"))
                        .get("items")
                        .get(1)
                        .get("data")
                        .get("answer")
                        .asString())
                .as("the used version kept its items")
                .isEqualTo("2");
        String explicitV2 = body.replace("name: qa\\n", "name: qa\\nversion: \\\"2\\\"\\n");
        assertThat(api.ok(api.post("/benchmarks", explicitV2)).get("outcome").asString())
                .as("an unused version may still be replaced")
                .isEqualTo("replaced");
    }

    @Test
    void aRunGradesEveryTrialOnceAndReportsPassAtKPassHatKWithIntervals() throws Exception {
        model("letters-model");
        Run a = api.run("{\"benchmark\":\"toy-letters\",\"target\":{\"model\":\"letters-model\"},\"trials\":4,"
                + "\"seed\":3,\"concurrency\":4,\"tags\":{\"who\":\"test\"}}");
        assertThat(a.status()).as(a.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(a.params().get("benchmark").asString()).isEqualTo("toy-letters@1");
        assertThat(a.tags()).containsEntry("who", "test").containsEntry("benchmark", "toy-letters@1");

        JsonNode report = api.report(a);
        assertThat(report.get("items_total").asInt()).isEqualTo(12);
        assertThat(report.get("trials_graded").asInt()).isEqualTo(48);
        assertThat(report.get("errors").asInt()).isZero();
        double accuracy = report.get("accuracy").asDouble();
        assertThat(report.get("accuracy_ci95").get(0).asDouble()).isLessThanOrEqualTo(accuracy);
        assertThat(report.get("accuracy_ci95").get(1).asDouble()).isGreaterThanOrEqualTo(accuracy);
        JsonNode at = report.get("pass_at_k");
        JsonNode hat = report.get("pass_hat_k");
        assertThat(at.get("1").asDouble()).isCloseTo(accuracy, Offset.offset(1e-12));
        assertThat(hat.get("1").asDouble()).isCloseTo(accuracy, Offset.offset(1e-12));
        for (int k = 2; k <= 4; k++) {
            assertThat(at.get(String.valueOf(k)).asDouble())
                    .isGreaterThanOrEqualTo(at.get(String.valueOf(k - 1)).asDouble());
            assertThat(hat.get(String.valueOf(k)).asDouble())
                    .isLessThanOrEqualTo(hat.get(String.valueOf(k - 1)).asDouble());
        }
        int correct = 0;
        for (JsonNode item : report.get("items")) {
            assertThat(item.get("trials").asInt()).isEqualTo(4);
            correct += item.get("correct").asInt();
        }
        assertThat(correct / 48.0).isCloseTo(accuracy, Offset.offset(1e-12));
        assertThat(report.get("by_tag").propertyNames()).contains("easy", "medium", "hard");
        assertThat(report.get("by_tag").get("easy").get("items").asInt()).isEqualTo(4);

        HttpResponse<String> markdown = api.get("/runs/" + a.id() + "/report?format=markdown");
        assertThat(markdown.headers().firstValue("Content-Type").orElse("")).contains("text/markdown");
        assertThat(markdown.body()).contains("| k | pass@k | pass^k |", "| mean score |", "toy-letters@1");
        JsonNode trials = api.ok(api.get("/runs/" + a.id() + "/trials?item=vowel"));
        assertThat(trials.get("trials")).hasSize(4);
        JsonNode first = trials.get("trials").get(0);
        assertThat(first.get("prompt").asString()).isEqualTo("Task: write a vowel\nAnswer:");
        assertThat(first.get("transcript")).hasSize(2);
        assertThat(first.get("latency_ms").asLong()).isPositive();
        assertThat(first.get("completion_tokens").asInt()).isPositive();
        assertThat(first.get("rationale").asString()).isNotBlank();
        Set<String> artifacts =
                registry.artifacts(a.id()).stream().map(Artifact::name).collect(Collectors.toSet());
        assertThat(artifacts).containsExactlyInAnyOrder("report.json", "report.md", "trials.jsonl");
        assertThat(registry.metricHistory(a.id(), "trials_done", 0, 100)).isNotEmpty();
        assertThat(registry.metricHistory(a.id(), "pass_at_k", 0, 10)).hasSize(4);

        // the same seed draws the same responses; the comparison then finds nothing
        Run again = api.run("{\"benchmark\":\"toy-letters\",\"target\":{\"model\":\"letters-model\"},\"trials\":4,"
                + "\"seed\":3,\"concurrency\":2}");
        JsonNode same = api.ok(api.get("/runs/compare?a=" + a.id() + "&b=" + again.id()));
        assertThat(same.get("paired_items").asInt()).isEqualTo(12);
        assertThat(same.get("mean_difference").asDouble()).isZero();
        assertThat(same.get("flipped").get("improved")).isEmpty();
        assertThat(same.get("same_benchmark").asBoolean()).isTrue();
        ServiceCalls.problem(
                api.get("/runs/compare?a=" + a.id() + "&b=" + java.util.UUID.randomUUID()), 404, "run-not-found");
    }

    @Test
    void anExternalEndpointIsCalledOnlyWhenAllowedWithItsKeyAndJudgeErrorsAreCountedNotScored() throws Exception {
        long before = api.evalRuns();
        ServiceCalls.problem(
                api.post(
                        "/runs",
                        "{\"benchmark\":\"toy-letters\",\"target\":{\"type\":\"openai\",\"model\":\"m\","
                                + "\"base_url\":\"http://127.0.0.1:1/v1\"}}"),
                400,
                "target-not-allowed");
        assertThat(api.evalRuns()).isEqualTo(before);

        String target = "{\"type\":\"openai\",\"model\":\"vendor-1\",\"base_url\":\"" + VENDOR.baseUrl()
                + "\",\"api_key_ref\":\"file:vendor.key\"}";
        String judge = "{\"type\":\"judge\",\"target\":{\"type\":\"openai\",\"model\":\"judge-1\",\"base_url\":\""
                + JUDGE.baseUrl() + "\"},\"rubric\":[{\"name\":\"correct\",\"description\":\"right answer\"}]}";
        Run run = api.run(
                "{\"benchmark\":\"toy-letters\",\"target\":" + target + ",\"trials\":2,\"grader\":" + judge + "}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.params().toString()).contains("file:vendor.key").doesNotContain("sk-vendor-test");
        assertThat(VENDOR.requests())
                .allSatisfy(r -> assertThat(r.get("_authorization").asString()).isEqualTo("Bearer sk-vendor-test"));

        JsonNode report = api.report(run);
        // only "what is 2 + 2?" gets the answer "4" the judge can grade; the other 11 items' verdicts are unreadable
        assertThat(report.get("judge_errors").asInt()).isEqualTo(22);
        assertThat(report.get("trials_graded").asInt()).isEqualTo(2);
        assertThat(report.get("items_scored").asInt()).isEqualTo(1);
        assertThat(report.get("accuracy").asDouble())
                .as("judge errors are excluded, not zeros")
                .isEqualTo(1.0);
        JsonNode failed = api.ok(api.get("/runs/" + run.id() + "/trials?outcome=judge_error&size=1"))
                .get("trials")
                .get(0);
        assertThat(failed.get("judge_output").asString()).isEqualTo("I would rather not say.");
        assertThat(failed.get("score").isNull()).isTrue();
    }

    @Test
    void anUnreachableTargetIsRecordedPerTrialAndFailsTheRunOnlyPastItsErrorBudget() throws Exception {
        String down = "{\"type\":\"openai\",\"model\":\"m\",\"base_url\":\"http://127.0.0.1:" + CLOSED_PORT
                + "/v1\",\"timeout_seconds\":5}";
        Run tolerated =
                api.run("{\"benchmark\":\"toy-letters\",\"target\":" + down + ",\"trials\":1,\"error_budget\":1}");
        assertThat(tolerated.status()).as(tolerated.error()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode report = api.report(tolerated);
        assertThat(report.get("errors").asInt()).isEqualTo(12);
        assertThat(report.get("items_scored").asInt()).isZero();
        assertThat(report.get("accuracy").isNull()).isTrue();
        JsonNode trial = api.ok(api.get("/runs/" + tolerated.id() + "/trials?size=1"))
                .get("trials")
                .get(0);
        assertThat(trial.get("outcome").asString()).isEqualTo("error");
        assertThat(trial.get("error").asString()).contains("unreachable");

        Run failed =
                api.run("{\"benchmark\":\"toy-letters\",\"target\":" + down + ",\"trials\":1,\"error_budget\":0.1}");
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).contains("past the error budget of 10%", "unreachable");
        assertThat(api.ok(api.get("/runs/" + failed.id() + "/trials"))
                        .get("total")
                        .asInt())
                .as("the trials recorded before it stopped are kept")
                .isGreaterThan(1);
    }

    @Test
    void implicitMemorySessionsScoreOnlyTheFirstAnswerToTheProbeAndReportPerConstruct() throws Exception {
        ServiceCalls.problem(
                api.post(
                        "/runs",
                        "{\"benchmark\":\"implicitmem-mini\",\"target\":{\"type\":\"openai\",\"model\":\"a\","
                                + "\"base_url\":\"http://127.0.0.1:2/v1\"}}"),
                400,
                "target-not-allowed");
        Path itemsFile = Path.of("src/main/resources/benchmarks/implicitmem-mini/items.jsonl");
        List<JsonNode> items = new ArrayList<>();
        for (String line : Files.readAllLines(itemsFile)) {
            items.add(JSON.readTree(line));
        }
        assertThat(items).hasSizeGreaterThanOrEqualTo(30);

        String target = "{\"type\":\"openai\",\"model\":\"agent\",\"base_url\":\"" + AGENT.baseUrl() + "\"}";
        int vendorCallsBefore = AGENT.requests().size();
        Run run = api.run("{\"benchmark\":\"implicitmem-mini\",\"target\":" + target + ",\"concurrency\":8}");
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
        List<JsonNode> calls =
                AGENT.requests().subList(vendorCallsBefore, AGENT.requests().size());
        for (JsonNode item : items) {
            String probe = item.get("test").asString();
            long probes = calls.stream()
                    .filter(c -> ScriptedModel.lastUserText(c).equals(probe))
                    .count();
            long pairs = item.has("pair") ? 2 : 1; // both halves of a priming pair share the probe
            assertThat(probes).as("first attempt only: %s", item.get("id")).isEqualTo(pairs);
        }
        JsonNode report = api.report(run);
        JsonNode memory = report.get("implicit_memory");
        // the agent applies one lesson (kelvin, which it can only know from that session's learning phase) and says
        // "ok" to everything else: an evasive answer shows no other preference and avoids no mistake either
        // (inhibition items need the right action, not only the absence of the wrong one)
        assertThat(report.get("items")
                        .valueStream()
                        .filter(i -> i.get("correct").asInt() == 1
                                && i.get("tags").toString().contains("preference"))
                        .map(i -> i.get("id").asString())
                        .toList())
                .containsExactly("proc-02");
        assertThat(memory.get("by_construct")
                        .get("procedural")
                        .get("mean_score")
                        .asDouble())
                .isCloseTo(1.0 / 12, Offset.offset(1e-12)); // proc-02 alone
        assertThat(memory.get("by_polarity").get("inhibition").get("mean_score").asDouble())
                .isZero();
        assertThat(memory.get("by_construct").propertyNames()).containsExactly("procedural", "priming", "conditioning");
        assertThat(memory.get("overall").get("items").asInt()).isEqualTo(items.size() - 8);
        assertThat(memory.get("priming_effect").get("pairs").asInt()).isEqualTo(8);
        assertThat(memory.get("priming_effect").get("effect").asDouble()).isZero();

        JsonNode session = api.ok(api.get("/runs/" + run.id() + "/trials?item=proc-01"))
                .get("trials")
                .get(0);
        List<String> phases = new ArrayList<>();
        Set<Boolean> learningGenerated = new HashSet<>();
        for (JsonNode turn : session.get("transcript")) {
            phases.add(turn.get("phase").asString());
            if (turn.get("phase").asString().equals("learning")) {
                learningGenerated.add(turn.get("generated").asBoolean());
            }
        }
        assertThat(phases).startsWith("learning").endsWith("test", "test").contains("interference");
        assertThat(learningGenerated)
                .as("the lesson's assistant turns are the item's, not the model's")
                .containsOnly(false);
        assertThat(session.get("response").asString()).isEqualTo("ok");
        assertThat(session.get("prompt").asString())
                .isEqualTo(items.get(0).get("test").asString());
    }

    @Test
    void badRunSubmissionsAreProblemsAndStartNothing() throws Exception {
        model("bad-input-model");
        long before = api.evalRuns();
        String target = "\"target\":{\"model\":\"bad-input-model\"}";
        ServiceCalls.problem(api.post("/runs", "{\"benchmark\":\"no-such\"," + target + "}"), 404, "unknown-benchmark");
        ServiceCalls.problem(
                api.post("/runs", "{\"benchmark\":\"toy-letters\",\"target\":{\"model\":\"nope\"}}"),
                404,
                "unknown-model");
        ServiceCalls.problem(
                api.post("/runs", "{\"benchmark\":\"toy-letters\"," + target + ",\"trials\":0}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/runs", "{\"benchmark\":\"toy-letters\"," + target + ",\"concurrency\":100000}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/runs", "{\"benchmark\":\"toy-letters\"," + target + ",\"trails\":2}"),
                400,
                "invalid-params");
        ServiceCalls.problem(api.post("/runs", "{\"benchmark\":\"toy-letters\"}"), 400, "invalid-params");
        ServiceCalls.problem(
                api.post("/runs", "{\"benchmark\":\"toy-letters\"," + target + ",\"grader\":{\"type\":\"numeric\"}}"),
                400,
                "invalid-grader");
        ServiceCalls.problem(api.post("/runs", "{\"benchmark\": [}"), 400, "malformed-body");
        ServiceCalls.problem(api.get("/runs/" + java.util.UUID.randomUUID() + "/report"), 404, "run-not-found");
        Run notEval = registry.create(new NewRun("training", "sft", "x", JSON.createObjectNode(), Map.of(), null, "t"));
        ServiceCalls.problem(api.get("/runs/" + notEval.id() + "/report"), 400, "not-an-eval-run");
        assertThat(api.evalRuns()).as("no refused submission left a run behind").isEqualTo(before);
    }

    @Test
    void triggersStartChildRunsOncePerEvent() throws Exception {
        model("trig-model");
        HttpResponse<String> created = api.post(
                "/triggers",
                "{\"name\":\"grade-trig\",\"event\":\"checkpoint\","
                        + "\"match\":{\"model\":\"trig-*\",\"run_kind\":\"tab?m\",\"final_only\":true},"
                        + "\"benchmarks\":[\"toy-letters\"],\"run\":{\"trials\":2,\"max_tokens\":4}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        ServiceCalls.problem(
                api.post(
                        "/triggers",
                        "{\"name\":\"grade-trig\",\"event\":\"checkpoint\"," + "\"benchmarks\":[\"toy-letters\"]}"),
                409,
                "trigger-name-taken");
        ServiceCalls.problem(
                api.post("/triggers", "{\"name\":\"t2\",\"event\":\"checkpoint\",\"benchmarks\":[\"nope\"]}"),
                404,
                "unknown-benchmark");
        ServiceCalls.problem(
                api.post(
                        "/triggers",
                        "{\"name\":\"t2\",\"event\":\"checkpoint\",\"benchmarks\":"
                                + "[\"toy-letters\"],\"run\":{\"trials\":0}}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/triggers", "{\"name\":\"t2\",\"event\":\"cron\",\"benchmarks\":[\"toy-letters\"]}"),
                400,
                "invalid-trigger");

        Run training = registry.create(
                new NewRun("training", "tabom", "tabom seed 1", JSON.createObjectNode(), Map.of(), null, "test"));
        String event =
                "{\"training_run_id\":\"" + training.id() + "\",\"step\":20,\"model\":\"trig-model\",\"final\":true}";
        JsonNode first = api.ok(api.post("/checkpoint-events", event));
        assertThat(first.get("runs")).hasSize(1);
        assertThat(first.get("triggered").get(0).get("trigger").asString()).isEqualTo("grade-trig");
        JsonNode again = api.ok(api.post("/checkpoint-events", event));
        assertThat(again.get("replayed").asBoolean()).isTrue();
        assertThat(again.get("runs").get(0).get("id").asString())
                .isEqualTo(first.get("runs").get(0).get("id").asString());
        Run child = api.finished(first.get("runs").get(0).get("id").asString());
        assertThat(child.status()).as(child.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(child.parentId()).isEqualTo(training.id());
        assertThat(child.tags()).containsEntry("trigger", "grade-trig").containsEntry("step", "20");
        assertThat(child.params().get("trials").asInt()).isEqualTo(2);
        JsonNode notFinal = api.ok(api.post(
                "/checkpoint-events",
                event.replace("\"final\":true", "\"final\":false").replace("\"step\":20", "\"step\":21")));
        assertThat(notFinal.get("runs")).as("final_only").isEmpty();

        String hook = api.ok(api.post(
                        "/triggers",
                        "{\"name\":\"hook\",\"event\":\"webhook\",\"benchmarks\":"
                                + "[\"toy-letters\"],\"run\":{\"trials\":1,\"max_tokens\":2},"
                                + "\"target\":{\"model\":\"trig-model\"}}"))
                .get("id")
                .asString();
        JsonNode fired = api.ok(api.post(
                "/triggers/" + hook + "/fire", "{\"event_id\":\"deploy-41\",\"run_id\":\"" + training.id() + "\"}"));
        JsonNode refired = api.ok(api.post(
                "/triggers/" + hook + "/fire", "{\"event_id\":\"deploy-41\",\"run_id\":\"" + training.id() + "\"}"));
        assertThat(refired.get("replayed").asBoolean()).isTrue();
        assertThat(refired.get("runs").get(0).get("id"))
                .isEqualTo(fired.get("runs").get(0).get("id"));
        JsonNode other = api.ok(api.post("/triggers/" + hook + "/fire", "{\"event_id\":\"deploy-42\"}"));
        assertThat(other.get("runs").get(0).get("id"))
                .isNotEqualTo(fired.get("runs").get(0).get("id"));
        assertThat(api.ok(api.get("/triggers/" + hook)).get("firings")).hasSize(2);
        ServiceCalls.problem(api.post("/triggers/" + hook + "/fire", "{}"), 400, "invalid-trigger");
        ServiceCalls.problem(
                api.post("/triggers/" + java.util.UUID.randomUUID() + "/fire", "{\"event_id\":\"x\"}"),
                404,
                "unknown-trigger");
        api.finished(fired.get("runs").get(0).get("id").asString());
        api.finished(other.get("runs").get(0).get("id").asString());
    }

    @Test
    void givenResponsesAreGradedAtOnceWithRubricScoresAndJudgeErrorsApart() throws Exception {
        String judge = "{\"type\":\"judge\",\"target\":{\"type\":\"openai\",\"model\":\"judge-1\",\"base_url\":\""
                + JUDGE.baseUrl() + "\"},\"rubric\":[{\"name\":\"correct\",\"description\":\"right answer\"}]}";
        JsonNode graded = api.ok(api.post(
                "/grades",
                "{\"grader\":" + judge + ",\"items\":[{\"id\":\"a\",\"prompt\":\"2 + 2?\",\"response\":\"4\"},"
                        + "{\"id\":\"b\",\"prompt\":\"2 + 3?\",\"response\":\"six\"}]}"));
        assertThat(graded.get("graded").asInt()).isEqualTo(1);
        assertThat(graded.get("judge_errors").asInt()).isEqualTo(1);
        JsonNode a = graded.get("results").get(0);
        assertThat(a.get("rubric_scores").get("correct").asDouble()).isEqualTo(1.0);
        assertThat(a.get("score").asDouble()).isEqualTo(1.0);
        JsonNode b = graded.get("results").get(1);
        assertThat(b.get("outcome").asString()).isEqualTo("judge_error");
        assertThat(b.get("score").isNull()).isTrue();
        assertThat(b.get("judge_output").asString()).isEqualTo("I would rather not say.");
        ServiceCalls.problem(
                api.post("/grades", "{\"grader\":{\"type\":\"exact\"},\"items\":[{\"id\":\"a\",\"response\":\"x\"}]}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post(
                        "/grades",
                        "{\"grader\":{\"type\":\"regex\",\"pattern\":\"x\"},\"items\":[{\"id\":\"a\","
                                + "\"response\":\"x\"},"
                                + "{\"id\":\"a\",\"response\":\"y\"}]}"),
                400,
                "invalid-params");
        ServiceCalls.problem(
                api.post("/grades", "{\"grader\":{\"type\":\"fuzzy\"},\"items\":[]}"), 400, "invalid-grader");
        assertThat(api.ok(api.post("/grades", "{\"grader\":" + judge + ",\"check_only\":true}"))
                        .get("valid")
                        .asBoolean())
                .isTrue();
    }
}

package dev.lmlab.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.platform.run.Artifact;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunFilter;
import dev.lmlab.platform.run.RunStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Training jobs end to end over HTTP: real database, real inference service, real tensors. */
class TrainingJobsTest extends TrainingApiSupport {

    static final String TINY_LLADA =
            "{\"family\":\"llada\",\"hidden\":32,\"layers\":2,\"heads\":2,\"intermediate\":64,\"max_positions\":64}";
    static final String TINY_LLAMA =
            "{\"family\":\"llama\",\"hidden\":32,\"layers\":2,\"heads\":2,\"intermediate\":64,\"max_positions\":64}";

    /** Sixteen made-up facts: a name and a three-letter code it maps to. */
    static List<String> facts() {
        List<String> rows = new ArrayList<>();
        String[] names = {
            "zor", "kel", "mab", "tiv", "rup", "sen", "dov", "fil", "gar", "hux", "jin", "lom", "nep", "pax", "quo",
            "wem"
        };
        for (int i = 0; i < names.length; i++) {
            String code = "" + (char) ('a' + i) + (char) ('a' + (i * 7) % 26) + (char) ('a' + (i * 3 + 5) % 26);
            rows.add("{\"prompt\":\"" + names[i] + "=\",\"response\":\"" + code + "\"}");
        }
        return rows;
    }

    @Test
    void nelboSftFromAFreshModelLogsEveryStepCheckpointsAndIsServedWhenDone() throws Exception {
        String data = dataset("facts-sft.jsonl", facts());

        Run run = succeeded(submit(
                "nelbo_sft",
                "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + data + "\",\"learning_rate\":0.01,"
                        + "\"batch_size\":8,\"max_steps\":60,\"warmup_steps\":3,\"checkpoint_every\":20,"
                        + "\"model_id\":\"facts-llada\",\"seed\":3}"));

        // a metric history per step, with the objective's components
        List<Double> loss = curve(run.id(), "loss");
        assertThat(loss).hasSize(60);
        assertThat(curve(run.id(), "loss.nelbo")).isEqualTo(loss);
        assertThat(curve(run.id(), "lr").get(0)).isCloseTo(0.01 / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(curve(run.id(), "grad_norm")).allMatch(g -> g > 0);
        assertThat(curve(run.id(), "tokens_per_s")).allMatch(t -> t > 0);
        double first = loss.subList(0, 5).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        double last = loss.subList(25, 30).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        assertThat(last).as("the NELBO falls: " + loss).isLessThan(first * 0.9);
        assertThat(run.progress()).isEqualTo(1.0);

        // checkpoints at 10, 20, 30 as loadable Hugging Face folders with the optimizer state beside them
        List<Artifact> artifacts = registry.artifacts(run.id());
        assertThat(artifacts)
                .extracting(Artifact::name)
                .containsExactly("checkpoint-step-20", "checkpoint-step-40", "checkpoint-step-60");
        Path finalFolder = Path.of(URI.create(artifacts.get(2).uri()));
        assertThat(finalFolder)
                .isEqualTo(HOME.resolve("models/runs/" + run.id() + "/step-60").toRealPath());
        assertThat(Files.exists(finalFolder.resolve("optimizer.safetensors"))).isTrue();
        assertThat(JSON.readTree(Files.readString(finalFolder.resolve("trainer_state.json")))
                        .get("step")
                        .asInt())
                .isEqualTo(60);
        try (LanguageModel trained = LanguageModel.load(finalFolder)) {
            assertThat(trained.config().maskedDiffusion()).isTrue();
        }

        // the final checkpoint is served by the inference service
        JsonNode served = ok(get(inference(), "/models/facts-llada"));
        assertThat(served.get("path").asString()).isEqualTo("runs/" + run.id() + "/step-60");
        JsonNode generated = ok(post(
                inference(),
                "/v1/diffusion/generate",
                "application/json",
                "{\"model\":\"facts-llada\",\"prompt\":\"zor=\",\"gen_length\":4,\"steps\":4}"));
        assertThat(generated.get("output_ids").size()).isEqualTo(4);
    }

    @Test
    void anUnreachableEvalServiceDoesNotStopTrainingAndTheRunSaysSo() throws Exception {
        String data = dataset("facts-eval.jsonl", facts());

        Run run = succeeded(submit(
                "nelbo_sft",
                "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + data + "\",\"max_steps\":4,"
                        + "\"evaluation\":{\"benchmarks\":[\"benchmarks/facts.jsonl\"]}}"));

        assertThat(registry.events(run.id(), 0, 1000))
                .anySatisfy(e -> assertThat(e.data().toString()).contains("evaluation not started"));
    }

    @Test
    void theSameSeedAndDataGiveTheSameLossCurveAndAnotherSeedDoesNot() throws Exception {
        String data = dataset("facts-pretrain.jsonl", facts());
        String params = "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + data + "\",\"learning_rate\":0.005,"
                + "\"batch_size\":4,\"grad_accumulation\":2,\"epochs\":3,\"weight_decay\":0.01,\"seed\":%d}";

        Run a = succeeded(submit("pretrain", String.format(params, 5)));
        Run b = succeeded(submit("pretrain", String.format(params, 5)));
        Run c = succeeded(submit("pretrain", String.format(params, 6)));

        // 16 rows x 3 epochs / (4 x 2) per step
        assertThat(curve(a.id(), "loss")).hasSize(6);
        assertThat(curve(b.id(), "loss")).isEqualTo(curve(a.id(), "loss"));
        assertThat(curve(c.id(), "loss")).isNotEqualTo(curve(a.id(), "loss"));
        assertThat(curve(a.id(), "epoch")).containsExactly(0.0, 0.0, 1.0, 1.0, 2.0, 2.0);
    }

    @Test
    void causalSftTrainsOnTheResponseOnly() throws Exception {
        String data = dataset("facts-causal.jsonl", facts());

        Run run = succeeded(submit(
                "sft",
                "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + data + "\",\"learning_rate\":0.01,"
                        + "\"max_steps\":20}"));

        List<Double> ce = curve(run.id(), "loss.ce");
        assertThat(ce).hasSize(20);
        assertThat(ce.get(19)).isLessThan(ce.get(0));
        assertThat(registry.artifacts(run.id())).extracting(Artifact::name).containsExactly("checkpoint-step-20");
    }

    @Test
    void tabomTrainsOnGuidedTrajectoriesTheInferenceServiceGenerated() throws Exception {
        // a base model and its self-distilled, reference-guided trajectories, made by the inference service
        ok(post(
                inference(),
                "/models/tiny",
                "application/json",
                "{\"id\":\"base-llada\",\"family\":\"llada\",\"seed\":2}"));
        Path prompts = HOME.resolve("artifacts/data/references.jsonl");
        Files.createDirectories(prompts.getParent());
        Files.write(prompts, facts());
        JsonNode job = ok(post(
                inference(),
                "/jobs",
                "application/json",
                "{\"kind\":\"trajectory-generation\",\"params\":{\"model\":\"base-llada\","
                        + "\"input\":\"data/references.jsonl\",\"chat\":false,\"batch\":8}}"));
        String trajectories = "runs/" + job.get("id").asString() + "/trajectories.jsonl";
        Path file = HOME.resolve("artifacts").resolve(trajectories);
        Run generation = finished(UUID.fromString(job.get("id").asString()), Duration.ofMinutes(2));
        assertThat(generation.status()).as(generation.error()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(Files.readAllLines(file)).hasSize(16);

        String common = "\"base_model\":\"base-llada\",\"dataset\":\"" + trajectories + "\",\"learning_rate\":0.005,"
                + "\"batch_size\":8,\"max_steps\":12,\"seed\":1,\"window\":2";
        Run plain = succeeded(submit("trajectory_nelbo", "{" + common + "}"));
        Run logistic = succeeded(submit("tabom", "{" + common + ",\"lambda\":1.5,\"tau\":0.5}"));
        Run hinge = succeeded(submit("tabom", "{" + common + ",\"lambda\":1.0,\"margin\":0.2}"));
        Run zero = succeeded(submit("tabom", "{" + common + ",\"lambda\":0}"));

        // same cuts and data: the first step's CE is the same for all four, λ = 0 follows trajectory-NELBO exactly
        double ce0 = curve(plain.id(), "loss.ce").get(0);
        for (Run r : List.of(logistic, hinge, zero)) {
            assertThat(curve(r.id(), "loss.ce").get(0)).isEqualTo(ce0);
        }
        assertThat(curve(zero.id(), "loss")).isEqualTo(curve(plain.id(), "loss"));
        List<Double> total = curve(logistic.id(), "loss");
        List<Double> ce = curve(logistic.id(), "loss.ce");
        List<Double> rank = curve(logistic.id(), "loss.rank");
        IntStream.range(0, 12)
                .forEach(i -> assertThat(total.get(i))
                        .isCloseTo(ce.get(i) + 1.5 * rank.get(i), org.assertj.core.data.Offset.offset(1e-4)));
        assertThat(curve(hinge.id(), "loss.rank")).allMatch(x -> x >= 0);
    }

    @Test
    void badSubmissionsAreRefusedWithReasonsAndCreateNoRun() throws Exception {
        String good = dataset("facts-bad-input.jsonl", facts());
        String missing = dataset(
                "missing-response.jsonl",
                List.of(
                        "{\"prompt\":\"a=\",\"response\":\"b\"}",
                        "{\"prompt\":\"c=\"}",
                        "{\"prompt\":\"d=\",\"response\":\"e\"}"));
        String longRow = dataset(
                "too-long.jsonl",
                List.of(
                        "{\"prompt\":\"a=\",\"response\":\"b\"}",
                        "{\"prompt\":\"" + "x".repeat(70) + "\",\"response\":\"y\"}"));
        String notTrajectory = dataset("not-trajectories.jsonl", facts());
        ok(post(inference(), "/models/tiny", "application/json", "{\"id\":\"causal-base\",\"family\":\"llama\"}"));
        long runsBefore = runCount();

        problem(submit("sft", "{\"base_model\":\"no-such-model\",\"dataset\":\"" + good + "\"}"), 404, "unknown-model");
        problem(
                submit("tabom", "{\"base_model\":\"causal-base\",\"dataset\":\"" + good + "\"}"),
                400,
                "incompatible-base-model");
        JsonNode p = problem(
                submit("nelbo_sft", "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + missing + "\"}"),
                400,
                "invalid-dataset");
        assertThat(p.get("line").asInt()).isEqualTo(2);
        assertThat(p.get("detail").asString()).contains("line 2").contains("response");
        p = problem(
                submit("nelbo_sft", "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + longRow + "\"}"),
                400,
                "invalid-dataset");
        assertThat(p.get("detail").asString()).contains("line 2").contains("64");
        p = problem(
                submit(
                        "trajectory_nelbo",
                        "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + notTrajectory + "\"}"),
                400,
                "invalid-dataset");
        assertThat(p.get("detail").asString()).contains("response_token_ids");
        problem(
                submit("sft", "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + good + "\",\"learning_rate\":0}"),
                400,
                "invalid-params");
        problem(
                submit("sft", "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + good + "\",\"batch_size\":0}"),
                400,
                "invalid-params");
        problem(
                submit(
                        "tabom",
                        "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + good + "\",\"tau\":1,\"margin\":0.2}"),
                400,
                "invalid-params");
        p = problem(
                submit("nelbo_sft", "{\"architecture\":" + TINY_LLADA + ",\"dataset\":\"" + good + "\",\"lambda\":1}"),
                400,
                "invalid-params");
        assertThat(p.get("detail").asString()).contains("tabom");
        problem(
                submit("sft", "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"../../etc/passwd\"}"),
                400,
                "path-outside-root");
        problem(
                submit("sft", "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"datasets/none.jsonl\"}"),
                404,
                "path-not-found");
        problem(
                submit(
                        "sft",
                        "{\"base_model\":\"causal-base\",\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + good
                                + "\"}"),
                400,
                "invalid-params");
        problem(
                submit("pretrain", "{\"architecture\":{\"family\":\"gpt9\"},\"dataset\":\"" + good + "\"}"),
                400,
                "invalid-architecture");

        assertThat(runCount()).as("no refused submission left a run behind").isEqualTo(runsBefore);

        // uploads: malformed JSON is refused with its line, and a dataset cannot be silently replaced
        p = problem(
                post(training(), "/datasets?name=broken.jsonl", "application/jsonl", "{\"a\":1}\n{oops\n"),
                400,
                "invalid-dataset");
        assertThat(p.get("line").asInt()).isEqualTo(2);
        problem(
                post(training(), "/datasets?name=facts-bad-input.jsonl", "application/jsonl", "{\"a\":2}\n"),
                409,
                "dataset-exists");
        problem(
                post(training(), "/datasets?name=../x.jsonl", "application/jsonl", "{\"a\":2}\n"),
                400,
                "invalid-dataset-name");
    }

    @Test
    void theToyDomainsAreWrittenAsDatasetsAndItemFilesTheSameForTheSameSeed() throws Exception {
        JsonNode first = ok(post(training(), "/toy-domains", "application/json", "{\"seed\":5,\"entities\":8}"));
        Path pretrain = HOME.resolve("artifacts")
                .resolve(first.get("files").get("pretrain").asString());
        byte[] bytes = Files.readAllBytes(pretrain);
        JsonNode again = ok(post(training(), "/toy-domains", "application/json", "{\"seed\":5,\"entities\":8}"));

        assertThat(again.get("files")).isEqualTo(first.get("files"));
        assertThat(Files.readAllBytes(pretrain)).isEqualTo(bytes);
        List<String> items = Files.readAllLines(HOME.resolve("artifacts")
                .resolve(first.get("files").get("domain_b_items").asString()));
        assertThat(items).hasSize(8);
        assertThat(JSON.readTree(items.get(0)).get("answer").asString()).hasSize(4);
        problem(post(training(), "/toy-domains", "application/json", "{\"entities\":100000}"), 400, "invalid-entities");
        problem(post(training(), "/toy-domains", "application/json", "{\"seed\":"), 400, "malformed-body");
    }

    @Test
    void aCancelledJobStopsBetweenSteps() throws Exception {
        String data = dataset("facts-cancel.jsonl", facts());
        UUID id = UUID.fromString(ok(submit(
                        "pretrain",
                        "{\"architecture\":" + TINY_LLAMA + ",\"dataset\":\"" + data + "\",\"max_steps\":100000}"))
                .get("id")
                .asString());
        dev.lmlab.testing.Await.until(
                "a few steps", Duration.ofSeconds(60), () -> curve(id, "loss").size(), n -> n >= 3);

        registry.requestCancel(id);

        Run run = finished(id, Duration.ofSeconds(30));
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(curve(id, "loss").size()).isLessThan(100000);
    }

    private long runCount() {
        return registry.list(new RunFilter("training", null, null, null, null, null, null), 0, 1)
                .total();
    }
}

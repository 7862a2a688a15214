package dev.lmlab.eval.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.ScriptedModel;
import dev.lmlab.eval.target.Targets;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.web.ApiException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class GradersTest {

    static final JsonMapper JSON = JsonMapper.shared();

    static Graders graders(String... allowed) throws Exception {
        List<URI> endpoints = java.util.Arrays.stream(allowed).map(URI::create).toList();
        EvalProperties eval = new EvalProperties(null, 8, endpoints, 64, 100);
        PlatformProperties platform = new PlatformProperties(
                null, "t", Files.createTempDirectory("graders").toString(), null, null, Map.of());
        return new Graders(new Targets(eval, platform, null, JSON), JSON);
    }

    static Grader grader(String spec, String... allowed) throws Exception {
        return graders(allowed).parse(JSON.readTree(spec), "grader");
    }

    static ObjectNode item(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    static ApiException refused(String spec, String... allowed) {
        try {
            grader(spec, allowed);
        } catch (ApiException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted " + spec);
    }

    @Test
    void regexSearchesNegatesAndExtracts() throws Exception {
        ObjectNode none = item("{\"id\":\"a\"}");
        assertThat(grader("{\"type\":\"regex\",\"pattern\":\"TKT-\\\\d+\"}")
                        .grade(none, "", "fix [TKT-12]")
                        .correct())
                .isTrue();
        Grader mustNot = grader("{\"type\":\"regex\",\"pattern\":\"(?i)--fast\",\"negate\":true}");
        assertThat(mustNot.grade(none, "", "deploy --FAST now").correct()).isFalse();
        assertThat(mustNot.grade(none, "", "deploy --safe").correct()).isTrue();
        Grader extract = grader("{\"type\":\"regex\",\"pattern\":\"answer: (\\\\w+)\",\"extract\":true}");
        ObjectNode withAnswer = item("{\"id\":\"a\",\"answer\":\"Paris\"}");
        assertThat(extract.grade(withAnswer, "", "so the answer: paris.").correct())
                .isTrue();
        assertThat(extract.grade(withAnswer, "", "the answer: Lyon").rationale())
                .contains("extracted 'Lyon'");
        assertThat(extract.grade(withAnswer, "", "no idea").correct()).isFalse();
    }

    @Test
    void numericReadsTheLastNumberWithinTolerance() throws Exception {
        ObjectNode item = item("{\"id\":\"a\",\"answer\":\"1234.5\"}");
        assertThat(grader("{\"type\":\"numeric\"}")
                        .grade(item, "", "2 steps give 1,234.5")
                        .correct())
                .isTrue();
        assertThat(grader("{\"type\":\"numeric\",\"pick\":\"first\"}")
                        .grade(item, "", "2 steps give 1,234.5")
                        .correct())
                .isFalse();
        assertThat(grader("{\"type\":\"numeric\",\"tolerance\":0.01,\"relative\":true}")
                        .grade(item, "", "about 1240")
                        .correct())
                .isTrue(); // |1240 − 1234.5| = 5.5 <= 12.345
        assertThat(grader("{\"type\":\"numeric\",\"tolerance\":1}")
                        .grade(item, "", "about 1240")
                        .correct())
                .isFalse();
        assertThat(grader("{\"type\":\"numeric\"}").grade(item, "", "none").rationale())
                .contains("no number");
        assertThatThrownBy(() -> grader("{\"type\":\"numeric\"}").checkItem(item("{\"id\":\"a\",\"answer\":\"x\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a number");
    }

    @Test
    void multipleChoiceReadsTheLetterOrTheChoiceText() throws Exception {
        Grader g = grader("{\"type\":\"multiple_choice\"}");
        ObjectNode item = item("{\"id\":\"a\",\"choices\":[\"red\",\"green\",\"blue\"],\"answer\":\"B\"}");
        assertThat(g.grade(item, "", "Answer: B").correct()).isTrue();
        assertThat(g.grade(item, "", "(C) blue, surely").correct()).isFalse();
        assertThat(g.grade(item, "", "A good guess is B").correct())
                .as("the heuristic's known blind spot: a leading article 'A' reads as option A")
                .isFalse();
        assertThat(g.grade(item, "", "i would say green").correct()).isTrue();
        assertThat(g.grade(item, "", "red or green").correct())
                .as("two options named: no choice")
                .isFalse();
        ObjectNode byIndex = item("{\"id\":\"a\",\"choices\":[\"red\",\"green\"],\"answer\":1}");
        assertThat(g.grade(byIndex, "", "B.").correct()).isTrue();
        assertThatThrownBy(() -> g.checkItem(item("{\"id\":\"a\",\"choices\":[\"x\",\"y\"],\"answer\":\"Q\"}")))
                .hasMessageContaining("names none");
    }

    @Test
    void aJudgeScoresTheRubricOnItsScaleAndAnUnreadableVerdictIsAJudgeErrorNotAZero() throws Exception {
        AtomicReference<String> verdict = new AtomicReference<>();
        try (ScriptedModel judge = new ScriptedModel(r -> verdict.get())) {
            String spec = "{\"type\":\"judge\",\"target\":{\"type\":\"openai\",\"model\":\"judge\",\"base_url\":\""
                    + judge.baseUrl() + "\",\"timeout_seconds\":2},\"scale\":[1,5],\"pass_threshold\":0.6,"
                    + "\"rubric\":[{\"name\":\"correct\",\"description\":\"states the right fact\",\"weight\":3},"
                    + "{\"name\":\"concise\",\"description\":\"one sentence\",\"weight\":1}]}";
            Grader g = grader(spec, judge.baseUrl());
            ObjectNode item = item("{\"id\":\"a\",\"answer\":\"Paris\"}");

            verdict.set("Sure! ```json\n{\"scores\": {\"correct\": 5, \"concise\": 1}, \"rationale\": \"right\"}\n```");
            Grade good = g.grade(item, "Capital of France?", "Paris.");
            // (3·(5−1)/4 + 1·(1−1)/4) / 4 = 0.75
            assertThat(good.score()).isCloseTo(0.75, Offset.offset(1e-12));
            assertThat(good.correct()).isTrue();
            assertThat(good.judgeOutput()).contains("```json");
            JsonNode sent = judge.requests().get(0);
            assertThat(sent.get("temperature").asDouble()).isZero();
            assertThat(ScriptedModel.lastUserText(sent))
                    .contains("Capital of France?", "Reference answer:\nParis", "- correct: states the right fact");

            verdict.set("I think it is fine.");
            Grade garbage = g.grade(item, "q", "Paris.");
            assertThat(garbage.isJudgeError()).isTrue();
            assertThat(garbage.judgeOutput()).isEqualTo("I think it is fine.");

            verdict.set("{\"scores\": {\"correct\": 9, \"concise\": 1}}");
            assertThat(g.grade(item, "q", "Paris.").judgeError()).contains("outside 1..5");
            verdict.set("{\"scores\": {\"correct\": 4}}");
            assertThat(g.grade(item, "q", "Paris.").judgeError()).contains("'concise'");

            judge.delay(3000);
            verdict.set("{\"scores\": {\"correct\": 5, \"concise\": 5}}");
            Grade late = g.grade(item, "q", "Paris.");
            assertThat(late.isJudgeError()).isTrue();
            assertThat(late.judgeError()).contains("did not answer within 2 s");
        }
    }

    @Test
    void aCompositeWeighsItsPartsAndPassesAtItsThreshold() throws Exception {
        Grader g = grader("{\"type\":\"composite\",\"pass_threshold\":0.7,\"graders\":["
                + "{\"weight\":3,\"grader\":{\"type\":\"exact\"}},"
                + "{\"weight\":1,\"grader\":{\"type\":\"regex\",\"pattern\":\"!$\"}}]}");
        ObjectNode item = item("{\"id\":\"a\",\"answer\":\"yes\"}");
        assertThat(g.grade(item, "", "yes").score()).isCloseTo(0.75, Offset.offset(1e-12));
        assertThat(g.grade(item, "", "yes").correct()).isTrue();
        assertThat(g.grade(item, "", "no!").score()).isCloseTo(0.25, Offset.offset(1e-12));
        assertThat(g.grade(item, "", "no!").correct()).isFalse();
    }

    @Test
    void badGraderSpecsAreRefusedNamingTheField() {
        assertThat(refused("{\"type\":\"fuzzy\"}").properties()).containsEntry("field", "grader.type");
        assertThat(refused("{\"type\":\"regex\",\"pattern\":\"(\"}").getMessage())
                .contains("not a valid regular");
        assertThat(refused("{\"type\":\"exact\",\"answer\":\"x\"}").properties())
                .containsEntry("field", "grader.answer");
        assertThat(refused("{\"type\":\"composite\",\"graders\":[{\"weight\":-1,\"grader\":{\"type\":\"exact\"}}]}")
                        .properties())
                .containsEntry("field", "grader.graders[0].weight");
        ApiException external = refused("{\"type\":\"judge\",\"target\":{\"type\":\"openai\",\"model\":\"m\","
                + "\"base_url\":\"http://10.0.0.1/v1\"},\"rubric\":[{\"name\":\"ok\"}]}");
        assertThat(external.slug()).isEqualTo("target-not-allowed");
        assertThat(refused("{\"type\":\"judge\",\"target\":{\"model\":\"m\"},\"rubric\":[]}")
                        .properties())
                .containsEntry("field", "grader.rubric");
    }
}

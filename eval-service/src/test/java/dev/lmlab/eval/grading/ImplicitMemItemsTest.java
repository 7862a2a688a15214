package dev.lmlab.eval.grading;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shipped implicit-memory items grade what they claim to: an evasive answer earns nothing anywhere, and each
 * inhibition item passes an answer that does the right thing and fails one that repeats the lesson's mistake.
 */
class ImplicitMemItemsTest {

    static final Path ITEMS = Path.of("src/main/resources/benchmarks/implicitmem-mini/items.jsonl");

    /** item → {an answer that applies the lesson, an answer that repeats the mistake} */
    static final Map<String, List<String>> INHIBITION = Map.ofEntries(
            Map.entry(
                    "proc-07",
                    List.of("Run `deploy eval-service` and watch the checks.", "deploy eval-service --fast")),
            Map.entry(
                    "proc-08", List.of("scratch-trash /shared/scratch/ckpt-2023", "rm -rf /shared/scratch/ckpt-2023")),
            Map.entry("proc-09", List.of("uv add tiktoken", "pip install tiktoken")),
            Map.entry("proc-10", List.of("search_docs(\"intern onboarding\")", "search_wiki(\"intern onboarding\")")),
            Map.entry("proc-11", List.of("npm run dev -- --port 3000", "npm run dev -- --port 8080")),
            Map.entry("proc-12", List.of("git pull --rebase && git push", "git push --force")),
            Map.entry("cond-01", List.of("staging-a (staging-b has crashed three times)", "staging-b, then staging-a")),
            Map.entry("cond-03", List.of("Priya", "Marek, or maybe Tom")),
            Map.entry("cond-05", List.of("Use gpu-03; gpu-07 keeps crashing.", "gpu-07")),
            Map.entry("cond-07", List.of("base-v3", "legacy-v2 with a lower learning rate")),
            Map.entry("cond-09", List.of("Vega", "Orion")));

    @Test
    void anEvasiveAnswerEarnsNothingAndInhibitionItemsNeedTheRightActionWithoutTheWrongOne() throws Exception {
        Graders graders = GradersTest.graders();
        JsonMapper json = JsonMapper.shared();
        Map<String, ObjectNode> items = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ITEMS)) {
            ObjectNode item = (ObjectNode) json.readTree(line);
            items.put(item.get("id").asString(), item);
        }
        assertThat(items).hasSizeGreaterThanOrEqualTo(30);
        for (ObjectNode item : items.values()) {
            Grader g = graders.parse(item.get("grader"), "grader");
            assertThat(g.grade(item, item.get("test").asString(), "ok").correct())
                    .as("'ok' on %s", item.get("id"))
                    .isFalse();
        }
        List<String> inhibition = items.values().stream()
                .filter(i -> i.path("polarity").asString("").equals("inhibition"))
                .map(i -> i.get("id").asString())
                .toList();
        assertThat(INHIBITION.keySet()).containsExactlyInAnyOrderElementsOf(inhibition);
        for (Map.Entry<String, List<String>> e : INHIBITION.entrySet()) {
            String id = e.getKey();
            List<String> answers = e.getValue();
            ObjectNode item = items.get(id);
            Grader g = graders.parse(item.get("grader"), "grader");
            assertThat(g.grade(item, "", answers.get(0)).correct())
                    .as("right on %s", id)
                    .isTrue();
            assertThat(g.grade(item, "", answers.get(1)).correct())
                    .as("wrong on %s", id)
                    .isFalse();
        }
    }
}

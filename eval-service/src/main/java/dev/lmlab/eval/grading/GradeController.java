package dev.lmlab.eval.grading;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.target.TargetSpec;
import dev.lmlab.eval.target.Targets;
import dev.lmlab.platform.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Grades responses someone else generated, at once: {@code POST /grades {grader, items: [{id, prompt, response,
 * answer?, ...}]}}; with {@code check_only: true} only the grader and its judges are checked. What a steering
 * experiment uses to have its generations judged; the same graders as eval runs,
 * with judge errors kept apart and counted, never scored as zeros. Bounded: at most {@link #MAX_ITEMS} items and
 * {@code lmlab.eval.max-in-flight} judge calls at once.
 */
@RestController
class GradeController {

    static final int MAX_ITEMS = 1000;

    private final Graders graders;
    private final Targets targets;
    private final EvalProperties properties;

    GradeController(Graders graders, Targets targets, EvalProperties properties) {
        this.graders = graders;
        this.targets = targets;
        this.properties = properties;
    }

    @Operation(summary = "Grade given responses: {grader, items: [{id, prompt, response, ...}]} → a verdict per item")
    @PostMapping("/grades")
    Map<String, Object> grade(@RequestBody JsonNode body) throws InterruptedException {
        if (body == null || !body.isObject()) {
            throw invalid("items", "the body is {\"grader\": {...}, \"items\": [{id, prompt, response}]}");
        }
        List<TargetSpec> judges = new ArrayList<>();
        Grader grader = graders.parse(body.get("grader"), "grader", judges::add);
        for (TargetSpec judge : Set.copyOf(judges)) {
            targets.requireAvailable(judge, "grader.target");
        }
        if (body.path("check_only").asBoolean(false)) {
            return Map.of("valid", true); // a caller about to accept work checks its grader up front
        }
        JsonNode items = body.get("items");
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_ITEMS) {
            throw invalid("items", "items is a list of 1 to " + MAX_ITEMS + " {id, prompt, response} objects");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String at = "items[" + i + "]";
            if (!item.isObject()
                    || !item.path("id").isString()
                    || !item.path("response").isString()) {
                throw invalid(at, at + " needs a string id and a string response");
            }
            if (!ids.add(item.get("id").asString())) {
                throw invalid(at, at + " repeats id '" + item.get("id").asString() + "'");
            }
            try {
                grader.checkItem((ObjectNode) item);
            } catch (IllegalArgumentException e) {
                throw invalid(at, at + ": " + e.getMessage());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(items.size(), properties.maxInFlight()));
        try {
            List<Future<Map<String, Object>>> verdicts = new ArrayList<>();
            for (JsonNode item : items) {
                verdicts.add(pool.submit(() -> verdict(grader, (ObjectNode) item)));
            }
            List<Map<String, Object>> results = new ArrayList<>();
            double sum = 0;
            int graded = 0;
            int judgeErrors = 0;
            for (Future<Map<String, Object>> f : verdicts) {
                Map<String, Object> v = f.get();
                results.add(v);
                if (v.get("outcome").equals("graded")) {
                    graded++;
                    sum += (double) v.get("score");
                } else {
                    judgeErrors++;
                }
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("graded", graded);
            answer.put("judge_errors", judgeErrors);
            answer.put("mean_score", graded == 0 ? null : sum / graded);
            answer.put("results", results);
            return answer;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("grading failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Object> verdict(Grader grader, ObjectNode item) throws InterruptedException {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", item.get("id").asString());
        Grade g;
        try {
            g = grader.grade(
                    item, item.path("prompt").asString(""), item.get("response").asString());
        } catch (RuntimeException e) {
            g = Grade.judgeFailed("grading failed: " + e.getMessage(), null);
        }
        v.put("outcome", g.isJudgeError() ? "judge_error" : "graded");
        v.put("score", g.isJudgeError() ? null : g.score());
        v.put("correct", g.isJudgeError() ? null : g.correct());
        v.put("rubric_scores", g.rubricScores());
        v.put("rationale", g.rationale());
        v.put("judge_output", g.judgeOutput());
        v.put("judge_error", g.judgeError());
        return v;
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-params", detail).with("field", field);
    }
}

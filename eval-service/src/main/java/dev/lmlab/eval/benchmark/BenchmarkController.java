package dev.lmlab.eval.benchmark;

import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The benchmark registry over HTTP: import a spec with its items, list, inspect a version and page its items. */
@RestController
class BenchmarkController {

    private final BenchmarkParser parser;
    private final BenchmarkStore store;

    BenchmarkController(BenchmarkParser parser, BenchmarkStore store) {
        this.parser = parser;
        this.store = store;
    }

    @Operation(summary = "Import a benchmark (spec + items), checked whole before anything is stored")
    @PostMapping("/benchmarks")
    ResponseEntity<Map<String, Object>> importBenchmark(@RequestBody JsonNode body, HttpServletRequest http) {
        BenchmarkParser.Parsed parsed = parser.parse(body);
        BenchmarkStore.Imported imported = store.save(parsed, Caller.of(http).keyName());
        Map<String, Object> answer = describe(imported.benchmark());
        answer.put("outcome", imported.outcome());
        return ResponseEntity.status(imported.outcome().equals("created") ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create(
                        "/api/eval/benchmarks/" + imported.benchmark().id()))
                .body(answer);
    }

    @Operation(summary = "Every benchmark version in the registry")
    @GetMapping("/benchmarks")
    Map<String, Object> list() {
        return Map.of(
                "benchmarks",
                store.list().stream().map(BenchmarkController::describe).toList());
    }

    @Operation(summary = "One benchmark: name (its latest version) or name@version, with item counts per tag")
    @GetMapping("/benchmarks/{ref}")
    Map<String, Object> get(@PathVariable String ref) {
        return describe(store.resolve(ref));
    }

    @Operation(summary = "A benchmark's items, in order")
    @GetMapping("/benchmarks/{ref}/items")
    Map<String, Object> items(
            @PathVariable String ref,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "100") int size) {
        if (page < 0 || size < 1 || size > 1000) {
            throw ApiException.badRequest("invalid-page", "page >= 0 and 1 <= size <= 1000");
        }
        StoredBenchmark b = store.resolve(ref);
        List<BenchmarkItem> all = store.items(b.name(), b.version());
        int from = Math.min(all.size(), page * size);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("benchmark", b.id());
        answer.put("total", all.size());
        answer.put("page", page);
        answer.put("items", all.subList(from, Math.min(all.size(), from + size)));
        return answer;
    }

    static Map<String, Object> describe(StoredBenchmark b) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", b.id());
        d.put("name", b.name());
        d.put("version", b.version());
        d.put("description", b.spec().description());
        d.put("protocol", b.spec().protocol());
        d.put("item_count", b.itemCount());
        d.put("tag_counts", b.tagCounts());
        d.put("default_trials", b.spec().trials());
        d.put("used", b.used());
        d.put("content_sha256", b.contentSha256());
        d.put("created_by", b.createdBy());
        d.put("created_at", b.createdAt());
        d.put("spec", b.spec());
        return d;
    }
}

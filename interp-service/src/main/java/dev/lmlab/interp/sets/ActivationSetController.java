package dev.lmlab.interp.sets;

import dev.lmlab.interp.InterpProperties;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.job.JobRequest;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Activation sets: capture one ({@code POST /activation-sets}, a durable run whose id is the set's id), list them,
 * read one's sizes, labels and per-hook shapes, page through its rows' labels.
 */
@RestController
class ActivationSetController {

    private final JobService jobs;
    private final ActivationSetStore sets;
    private final ActivationMatrix matrix;
    private final DataRoot artifacts;
    private final JsonMapper json;
    private final InterpProperties properties;

    ActivationSetController(
            JobService jobs,
            ActivationSetStore sets,
            ActivationMatrix matrix,
            DataRoot artifacts,
            JsonMapper json,
            InterpProperties properties) {
        this.jobs = jobs;
        this.sets = sets;
        this.matrix = matrix;
        this.artifacts = artifacts;
        this.json = json;
        this.properties = properties;
    }

    @Operation(summary = "Capture an activation set: {model, input | items, hooks, pooling, batch_size, name}")
    @PostMapping("/activation-sets")
    ResponseEntity<Run> capture(
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        JobRequest request = JobRequest.fromBody(ActivationSetJob.KIND, body, Set.of("items"));
        if (body.has("items")) {
            if (body.has("input")) {
                throw ApiException.badRequest("invalid-params", "give input (a file) or items (inline), not both")
                        .with("field", "items");
            }
            ((ObjectNode) request.params()).put("input", storeInline(body.get("items")));
        }
        Run run = jobs.submit(request, Caller.of(http), idempotencyKey).run();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/interp/activation-sets/" + run.id()))
                .body(run);
    }

    @Operation(summary = "Activation sets, newest first (?model=)")
    @GetMapping("/activation-sets")
    Map<String, Object> list(
            @RequestParam(required = false) String model, @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("invalid-params", "limit is 1..1000").with("field", "limit");
        }
        return Map.of(
                "sets", sets.list(model, limit).stream().map(this::describe).toList());
    }

    @Operation(summary = "One activation set: status, rows, labels with counts, per-hook shapes, files")
    @GetMapping("/activation-sets/{id}")
    Map<String, Object> get(@PathVariable UUID id) {
        return describe(sets.find(id)
                .orElseThrow(() -> ApiException.notFound("unknown-activation-set", "no activation set " + id)
                        .with("set", id.toString())));
    }

    @Operation(summary = "A page of the set's rows: id and labels, in row order")
    @GetMapping("/activation-sets/{id}/rows")
    Map<String, Object> rows(
            @PathVariable UUID id,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "100") int size) {
        if (page < 0 || size < 1 || size > 1000) {
            throw ApiException.badRequest("invalid-page", "page >= 0 and 1 <= size <= 1000");
        }
        ActivationSet set = sets.ready(id);
        List<Jsonl.Line> lines = Jsonl.readLines(artifacts.existing(set.folder() + "/labels.jsonl"), json);
        int from = Math.min(lines.size(), page * size);
        List<JsonNode> rows = new ArrayList<>();
        lines.subList(from, Math.min(lines.size(), from + size)).forEach(l -> rows.add(l.value()));
        return Map.of("set", id.toString(), "total", lines.size(), "page", page, "rows", rows);
    }

    private Map<String, Object> describe(ActivationSet s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", s.id().toString());
        d.put("name", s.name());
        d.put("model", s.model());
        d.put("status", s.status());
        d.put("pooling", s.pooling());
        d.put("rows", s.rowCount());
        d.put("hooks", s.hooks());
        Map<String, Object> shapes = new LinkedHashMap<>();
        for (String hook : s.hooks()) {
            Integer width = s.widths().get(hook);
            shapes.put(hook, width == null ? null : s.pooled() ? List.of(s.rowCount(), width) : List.of("T", width));
        }
        d.put("shapes", shapes);
        d.put("labels", s.labelCounts());
        d.put("folder", s.folder());
        d.put("run", "/api/runs/" + s.id());
        d.put("created_by", s.createdBy());
        d.put("created_at", s.createdAt());
        d.put("completed_at", s.completedAt());
        return d;
    }

    /**
     * Inline items become a file under the artifacts root, named by their content: the durable job reads a file, and
     * the same items twice are one file.
     */
    private String storeInline(JsonNode items) {
        if (!items.isArray()) {
            throw ApiException.badRequest("invalid-input-set", "items is a list of {text, labels} objects")
                    .with("field", "items");
        }
        List<Jsonl.Line> lines = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            lines.add(new Jsonl.Line(i + 1, items.get(i)));
            text.append(json.writeValueAsString(items.get(i))).append('\n');
        }
        LabelledInputs.parse(lines, properties.maxSetRows()); // refuse a bad item before anything is written
        String relative = "activation-sets/inputs/" + Digests.sha256Hex(text.toString()) + ".jsonl";
        Path file = artifacts.newPath(relative);
        if (!Files.exists(file)) {
            JobOutput.writeWhole(file, text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return relative;
    }
}

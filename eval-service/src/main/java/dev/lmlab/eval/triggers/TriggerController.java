package dev.lmlab.eval.triggers;

import dev.lmlab.eval.target.TargetSpec;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Triggers over HTTP: create, list, inspect (with recent firings), delete, and fire a webhook trigger. */
@RestController
class TriggerController {

    private static final Set<String> FIELDS = Set.of("name", "event", "match", "benchmarks", "run", "target");

    private final Triggers triggers;
    private final JsonMapper json;

    TriggerController(Triggers triggers, JsonMapper json) {
        this.triggers = triggers;
        this.json = json;
    }

    @Operation(summary = "Create a trigger: {name, event: checkpoint|webhook, match, benchmarks, run, target}")
    @PostMapping("/triggers")
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body, HttpServletRequest http) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid-trigger", "the body is an object: {name, event, benchmarks, ...}");
        }
        for (String field : body.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw ApiException.badRequest("invalid-trigger", "unknown field '" + field + "'; fields are " + FIELDS)
                        .with("field", field);
            }
        }
        TriggerRule rule;
        try {
            rule = json.treeToValue(body, TriggerRule.class);
        } catch (JacksonException e) {
            throw ApiException.badRequest(
                    "invalid-trigger", "the trigger could not be read: " + e.getOriginalMessage());
        }
        Trigger t = triggers.create(
                body.path("name").asString(null),
                body.path("event").asString(null),
                rule,
                Caller.of(http).keyName());
        return ResponseEntity.created(URI.create("/api/eval/triggers/" + t.id()))
                .body(describe(t));
    }

    @GetMapping("/triggers")
    Map<String, Object> list() {
        return Map.of(
                "triggers",
                triggers.list().stream().map(TriggerController::describe).toList());
    }

    @GetMapping("/triggers/{id}")
    Map<String, Object> get(@PathVariable UUID id) {
        Map<String, Object> d = describe(triggers.get(id));
        d.put("firings", triggers.firings(id));
        return d;
    }

    @DeleteMapping("/triggers/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        triggers.get(id);
        triggers.delete(id);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Fire a webhook trigger: {event_id, target?, run_id?}; the same event_id fires once")
    @PostMapping("/triggers/{id}/fire")
    ResponseEntity<Map<String, Object>> fire(@PathVariable UUID id, @RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid-trigger", "the body is {\"event_id\": ..., \"target\": {...}}");
        }
        TargetSpec target = null;
        if (body.hasNonNull("target")) {
            try {
                target = json.treeToValue(body.get("target"), TargetSpec.class);
            } catch (JacksonException e) {
                throw ApiException.badRequest("invalid-target", "target must be {\"model\": ...}")
                        .with("field", "target");
            }
        }
        UUID parent = null;
        if (body.hasNonNull("run_id")) {
            try {
                parent = UUID.fromString(body.get("run_id").asString());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-trigger", "run_id is a run id (UUID)")
                        .with("field", "run_id");
            }
        }
        Triggers.Fired fired = triggers.onWebhook(id, body.path("event_id").asString(null), target, parent);
        return ResponseEntity.status(fired.replayed() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(Triggers.describe(fired));
    }

    static Map<String, Object> describe(Trigger t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", t.id().toString());
        d.put("name", t.name());
        d.put("event", t.event());
        d.put("enabled", t.enabled());
        d.put("rule", t.rule());
        d.put("created_by", t.createdBy());
        d.put("created_at", t.createdAt());
        return d;
    }
}

package dev.lmlab.eval.triggers;

import dev.lmlab.eval.benchmark.BenchmarkStore;
import dev.lmlab.eval.run.EvalRuns;
import dev.lmlab.eval.target.TargetSpec;
import dev.lmlab.eval.target.Targets;
import dev.lmlab.platform.job.JobCatalog;
import dev.lmlab.platform.job.JobService;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rules that start eval runs on their own. A checkpoint event from the training service fires every enabled
 * checkpoint trigger whose globs match it; a webhook call fires one trigger. Each fired trigger starts one run per
 * benchmark, a child of the triggering run, and remembers the event: the same event again (a resumed training job
 * repeats its announcements, a webhook is retried) returns the runs it started the first time and starts nothing.
 */
@Component
public class Triggers {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Logger log = LoggerFactory.getLogger(Triggers.class);

    private final TriggerStore store;
    private final BenchmarkStore benchmarks;
    private final EvalRuns runs;
    private final RunRegistry registry;
    private final Targets targets;
    private final JobCatalog catalog;
    private final JsonMapper json;

    Triggers(
            TriggerStore store,
            BenchmarkStore benchmarks,
            EvalRuns runs,
            RunRegistry registry,
            Targets targets,
            JobCatalog catalog,
            JsonMapper json) {
        this.store = store;
        this.benchmarks = benchmarks;
        this.runs = runs;
        this.registry = registry;
        this.targets = targets;
        this.catalog = catalog;
        this.json = json;
    }

    /** What one trigger did for one event. */
    public record Fired(Trigger trigger, List<Run> runs, boolean replayed) {}

    Trigger create(String name, String event, TriggerRule rule, String caller) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name", "name is 1-100 lower-case letters, digits, '.', '_' or '-'");
        }
        if (!Set.of("checkpoint", "webhook").contains(event)) {
            throw invalid(
                    "event", "event is 'checkpoint' (training checkpoints) or 'webhook' (POST /triggers/{id}/fire)");
        }
        if (rule.benchmarks() == null
                || rule.benchmarks().isEmpty()
                || rule.benchmarks().size() > 20) {
            throw invalid("benchmarks", "benchmarks lists 1 to 20 benchmarks (name or name@version)");
        }
        rule.benchmarks().forEach(benchmarks::resolve);
        if (event.equals("checkpoint") && rule.target() != null) {
            throw invalid("target", "a checkpoint trigger grades the checkpoint's model; it takes no target");
        }
        if (rule.target() != null) {
            targets.check(rule.target(), "target");
        }
        if (rule.match() != null && event.equals("webhook")) {
            throw invalid("match", "match applies to checkpoint triggers");
        }
        checkRunSettings(rule.run());
        Trigger trigger = new Trigger(UUID.randomUUID(), name, event, rule, true, caller, null);
        if (!store.insert(trigger)) {
            throw ApiException.conflict("trigger-name-taken", "a trigger named '" + name + "' exists; delete it first")
                    .with(
                            "trigger_id",
                            store.findByName(name).map(t -> t.id().toString()).orElse(null));
        }
        log.info("Trigger '{}' ({}) created by {}: {}", name, event, caller, rule.benchmarks());
        return store.find(trigger.id()).orElseThrow();
    }

    /** Fires the checkpoint triggers matching a training checkpoint. */
    public List<Fired> onCheckpoint(UUID trainingRun, long step, String model, boolean last) {
        Optional<Run> training = registry.find(trainingRun);
        List<Fired> fired = new ArrayList<>();
        for (Trigger t : store.enabled("checkpoint")) {
            TriggerRule.Match m = t.rule().match() == null
                    ? new TriggerRule.Match(null, null, null, null)
                    : t.rule().match();
            boolean matches = glob(m.model(), model)
                    && glob(m.run(), training.map(Run::name).orElse(null))
                    && glob(m.runKind(), training.map(Run::kind).orElse(null))
                    && (!Boolean.TRUE.equals(m.finalOnly()) || last);
            if (matches) {
                String eventKey = "checkpoint:" + trainingRun + ":" + step + ":" + model;
                Map<String, String> tags = Map.of("trigger", t.name(), "step", String.valueOf(step));
                fired.add(fire(t, eventKey, TargetSpec.inference(model), trainingRun, tags));
            }
        }
        return fired;
    }

    /** Fires a webhook trigger for {@code eventId}, grading {@code target} (or the trigger's own). */
    Fired onWebhook(UUID triggerId, String eventId, TargetSpec target, UUID parent) {
        Trigger t = get(triggerId);
        if (!t.event().equals("webhook")) {
            throw ApiException.badRequest("not-a-webhook-trigger", "trigger '" + t.name() + "' fires on checkpoints");
        }
        if (!t.enabled()) {
            throw ApiException.conflict("trigger-disabled", "trigger '" + t.name() + "' is disabled");
        }
        if (eventId == null || !eventId.matches("[\\x21-\\x7e]{1,200}")) {
            throw invalid(
                    "event_id", "event_id (1-200 printable characters) identifies the event: the same id fires once");
        }
        TargetSpec chosen = target != null ? target : t.rule().target();
        if (chosen == null) {
            throw invalid("target", "this trigger has no default target: name one in the call");
        }
        targets.requireAvailable(chosen, "target");
        if (parent != null && registry.find(parent).isEmpty()) {
            throw RunRegistry.notFound(parent);
        }
        return fire(t, "webhook:" + eventId, chosen, parent, Map.of("trigger", t.name(), "event_id", eventId));
    }

    private Fired fire(Trigger t, String eventKey, TargetSpec target, UUID parent, Map<String, String> tags) {
        List<Map<String, Object>> earlier = store.firings(t.id(), 1000).stream()
                .filter(f -> f.get("event_key").equals(eventKey))
                .toList();
        if (!earlier.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) earlier.get(0).get("run_ids");
            return new Fired(
                    t, ids.stream().map(id -> registry.get(UUID.fromString(id))).toList(), true);
        }
        Caller caller = new Caller("trigger:" + t.id(), "trigger " + t.name(), Set.of("write"));
        List<Run> started = new ArrayList<>();
        boolean replayed = true;
        for (String benchmark : t.rule().benchmarks()) {
            ObjectNode body = t.rule().run() == null || !t.rule().run().isObject()
                    ? json.createObjectNode()
                    : ((ObjectNode) t.rule().run()).deepCopy();
            body.put("benchmark", benchmark);
            body.set("target", json.valueToTree(target));
            ObjectNode tagNode = body.putObject("tags");
            tags.forEach(tagNode::put);
            String key = "trigger:" + Digests.sha256Hex(t.id() + "\n" + eventKey + "\n" + benchmark);
            JobService.Submission s = runs.submit(body, caller, key, parent);
            started.add(s.run());
            replayed &= !s.created();
        }
        store.recordFiring(
                t.id(), eventKey, started.stream().map(r -> r.id().toString()).toList());
        log.info("Trigger '{}' fired for {}: {} run(s)", t.name(), eventKey, started.size());
        return new Fired(t, started, replayed);
    }

    Trigger get(UUID id) {
        return store.find(id)
                .orElseThrow(() -> ApiException.notFound("unknown-trigger", "no trigger " + id)
                        .with(
                                "triggers",
                                store.list().stream().map(Trigger::name).toList()));
    }

    List<Trigger> list() {
        return store.list();
    }

    List<Map<String, Object>> firings(UUID id) {
        return store.firings(get(id).id(), 50);
    }

    boolean delete(UUID id) {
        return store.delete(id);
    }

    /** The settings must bind as an eval run's params (ranges, types, no unknown fields) before a trigger is kept. */
    private void checkRunSettings(JsonNode run) {
        if (run == null || run.isNull()) {
            return;
        }
        if (!run.isObject() || run.has("benchmark") || run.has("target")) {
            throw invalid(
                    "run",
                    "run holds run settings (trials, seed, grader, ...); benchmarks and the target are the"
                            + " trigger's own");
        }
        ObjectNode probe = ((ObjectNode) run).deepCopy();
        probe.put("benchmark", "probe@1");
        probe.set("target", json.valueToTree(TargetSpec.inference("probe")));
        catalog.read(catalog.require("eval"), probe);
    }

    static boolean glob(String pattern, String value) {
        if (pattern == null || pattern.isEmpty()) {
            return true;
        }
        if (value == null) {
            return false;
        }
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return value.matches(regex.toString());
    }

    private static ApiException invalid(String field, String detail) {
        return ApiException.badRequest("invalid-trigger", detail).with("field", field);
    }

    static Map<String, Object> describe(Fired f) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("trigger", f.trigger().name());
        d.put("trigger_id", f.trigger().id().toString());
        d.put("replayed", f.replayed());
        d.put("runs", f.runs());
        return d;
    }
}

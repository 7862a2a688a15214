package dev.lmlab.training.toy;

import dev.lmlab.platform.files.JobOutput;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.training.files.TrainingRoots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the toy TABOM domains ({@link SyntheticDomains}) into the artifacts root as the datasets and benchmark
 * item files the experiment uses, and says where they are. The same seed always writes the same files.
 */
@RestController
class ToyDomainsController {

    private final TrainingRoots roots;
    private final JsonMapper json;

    ToyDomainsController(TrainingRoots roots, JsonMapper json) {
        this.roots = roots;
        this.json = json;
    }

    record Request(Long seed, Integer entities) {}

    record TextRow(String text) {}

    record PromptRow(String id, String prompt, String response) {}

    record ItemRow(String id, String prompt, String answer) {}

    @PostMapping("/toy-domains")
    Map<String, Object> write(@RequestBody Request request) {
        long seed = request.seed() == null ? 0 : request.seed();
        int entities = request.entities() == null ? 48 : request.entities();
        if (entities < 4 || entities > 2000) {
            throw ApiException.badRequest("invalid-entities", "entities must be 4..2000")
                    .with("field", "entities");
        }
        SyntheticDomains.Domains d = SyntheticDomains.generate(seed, entities);
        String folder = "toy/tabom-seed" + seed + "-n" + entities + "/";
        Map<String, Object> files = new LinkedHashMap<>();
        files.put(
                "pretrain",
                write(
                        folder + "pretrain.jsonl",
                        d.pretrainingText().stream().map(TextRow::new).toList()));
        files.put(
                "domain_b_train",
                write(
                        folder + "b-train.jsonl",
                        d.domainB().stream()
                                .map(f -> new PromptRow(f.id(), f.prompt(), f.answer()))
                                .toList()));
        files.put("domain_a_items", write(folder + "a-items.jsonl", items(d.domainA())));
        files.put("domain_b_items", write(folder + "b-items.jsonl", items(d.domainB())));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", seed);
        out.put("entities", entities);
        out.put("files", files);
        out.put("example_a", d.domainA().get(0));
        out.put("example_b", d.domainB().get(0));
        return out;
    }

    private static List<ItemRow> items(List<SyntheticDomains.Fact> facts) {
        return facts.stream()
                .map(f -> new ItemRow(f.id(), f.prompt(), f.answer()))
                .toList();
    }

    private String write(String relative, List<?> rows) {
        Path target = roots.artifacts().newPath(relative);
        StringBuilder text = new StringBuilder();
        rows.forEach(r -> text.append(json.writeValueAsString(r)).append('\n'));
        try {
            Path staging = Files.createTempFile(target.getParent(), ".toy", ".jsonl");
            Files.writeString(staging, text);
            JobOutput.publish(staging, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return relative;
    }
}

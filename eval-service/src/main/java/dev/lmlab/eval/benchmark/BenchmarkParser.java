package dev.lmlab.eval.benchmark;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.grading.Grader;
import dev.lmlab.eval.grading.Graders;
import dev.lmlab.eval.protocol.Protocol;
import dev.lmlab.eval.protocol.Protocols;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and checks a benchmark import completely before anything is stored: the spec (strictly: an unknown field is
 * refused), its grader, and every item (id present and unique, the template's fields present, the protocol's and
 * the grader's fields present). The first bad item is reported with its line number and nothing is imported.
 */
@Component
public class BenchmarkParser {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    static final int MAX_ITEMS = 100_000;

    private final Graders graders;
    private final JsonMapper json;
    private final EvalProperties properties;
    private final DataRoot artifacts;

    public BenchmarkParser(Graders graders, JsonMapper json, EvalProperties properties, DataRoot artifacts) {
        this.graders = graders;
        this.json = json;
        this.properties = properties;
        this.artifacts = artifacts;
    }

    /** A checked import. */
    public record Parsed(BenchmarkSpec spec, List<BenchmarkItem> items) {}

    /**
     * @param request {@code spec} (an object) or {@code spec_yaml} (text), and the items as {@code items} (a list),
     *     {@code items_jsonl} (text) or {@code items_path} (a JSONL file under the artifacts root)
     */
    public Parsed parse(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw ApiException.badRequest("invalid-benchmark", "the body is {\"spec\": {...}, \"items\": [...]}");
        }
        for (String field : request.propertyNames()) {
            if (!Set.of("spec", "spec_yaml", "items", "items_jsonl", "items_path")
                    .contains(field)) {
                throw ApiException.badRequest(
                                "invalid-benchmark",
                                "unknown field '" + field + "'; give spec or spec_yaml, and items, items_jsonl or"
                                        + " items_path")
                        .with("field", field);
            }
        }
        BenchmarkSpec spec = spec(request);
        return new Parsed(spec, items(request, spec));
    }

    /** The spec's grader, built (for a run to use, or to check a grader override). */
    public Grader grader(JsonNode graderSpec, String field) {
        return graders.parse(graderSpec, field);
    }

    private BenchmarkSpec spec(JsonNode request) {
        JsonNode source = request.get("spec");
        if (request.has("spec_yaml")) {
            if (source != null) {
                throw ApiException.badRequest("invalid-benchmark", "give spec or spec_yaml, not both");
            }
            source = yaml(request.get("spec_yaml").asString(""), "spec_yaml");
        }
        if (source == null || !source.isObject()) {
            throw ApiException.badRequest("invalid-benchmark", "spec (an object) or spec_yaml (text) is required")
                    .with("field", "spec");
        }
        BenchmarkSpec spec;
        try {
            spec = json.readerFor(BenchmarkSpec.class)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(source);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("invalid-spec", "unknown field '" + e.getPropertyName() + "' in the spec")
                    .with("field", "spec." + e.getPropertyName());
        } catch (JacksonException e) {
            throw ApiException.badRequest("invalid-spec", "the spec could not be read: " + e.getOriginalMessage());
        }
        if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
            throw invalidSpec("name", "spec.name is 1-100 lower-case letters, digits, '.', '_' or '-'");
        }
        if (spec.version() != null && !VERSION.matcher(spec.version()).matches()) {
            throw invalidSpec("version", "spec.version is 1-32 letters, digits, '.', '_' or '-'");
        }
        if (spec.trials() < 1 || spec.trials() > properties.maxTrials()) {
            throw invalidSpec("trials", "spec.trials is 1.." + properties.maxTrials());
        }
        if (spec.maxTokens() < 1 || spec.maxTokens() > 4096) {
            throw invalidSpec("max_tokens", "spec.max_tokens is 1..4096");
        }
        if (spec.temperature() != null && (spec.temperature() < 0 || spec.temperature() > 10)) {
            throw invalidSpec("temperature", "spec.temperature is 0..10");
        }
        if (spec.tags().size() > 50 || spec.stop().size() > 16) {
            throw invalidSpec("tags", "spec.tags holds at most 50 tags and spec.stop at most 16 strings");
        }
        try {
            Protocols.of(spec);
        } catch (IllegalArgumentException e) {
            throw invalidSpec("protocol", "spec: " + e.getMessage());
        }
        if (spec.grader() == null) {
            throw invalidSpec("grader", "spec.grader is required, e.g. {\"type\": \"exact\"}");
        }
        graders.parse(spec.grader(), "spec.grader");
        return spec;
    }

    private List<BenchmarkItem> items(JsonNode request, BenchmarkSpec spec) {
        List<Jsonl.Line> lines = lines(request);
        if (lines.isEmpty()) {
            throw ApiException.badRequest("invalid-benchmark", "the benchmark holds no items")
                    .with("field", "items");
        }
        if (lines.size() > MAX_ITEMS) {
            throw ApiException.badRequest("invalid-benchmark", "at most " + MAX_ITEMS + " items per benchmark");
        }
        Protocol protocol = Protocols.of(spec);
        Grader defaultGrader = graders.parse(spec.grader(), "spec.grader");
        List<BenchmarkItem> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Jsonl.Line line : lines) {
            int n = line.number();
            if (!line.value().isObject()) {
                throw badItem(n, "an item is a JSON object");
            }
            ObjectNode data = (ObjectNode) line.value();
            JsonNode id = data.get("id");
            if (id == null
                    || !(id.isString() || id.isIntegralNumber())
                    || id.asString().isBlank()
                    || id.asString().length() > 200) {
                throw badItem(n, "'id' is missing (every item needs a stable id of 1-200 characters)");
            }
            if (!ids.add(id.asString())) {
                throw badItem(n, "id '" + id.asString() + "' is repeated");
            }
            List<String> tags = tags(data, spec, n);
            try {
                protocol.checkItem(data);
                Grader grader =
                        data.has("grader") ? graders.parse(data.get("grader"), "line " + n + " grader") : defaultGrader;
                grader.checkItem(data);
            } catch (IllegalArgumentException e) {
                throw badItem(n, e.getMessage());
            } catch (ApiException e) {
                throw badItem(n, e.getMessage());
            }
            items.add(new BenchmarkItem(id.asString(), items.size(), tags, data));
        }
        return items;
    }

    private List<Jsonl.Line> lines(JsonNode request) {
        int given = (request.has("items") ? 1 : 0)
                + (request.has("items_jsonl") ? 1 : 0)
                + (request.has("items_path") ? 1 : 0);
        if (given != 1) {
            throw ApiException.badRequest("invalid-benchmark", "give exactly one of items, items_jsonl, items_path")
                    .with("field", "items");
        }
        if (request.has("items")) {
            JsonNode list = request.get("items");
            if (!list.isArray()) {
                throw ApiException.badRequest("invalid-benchmark", "items is a list of objects")
                        .with("field", "items");
            }
            List<Jsonl.Line> lines = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                lines.add(new Jsonl.Line(i + 1, list.get(i)));
            }
            return lines;
        }
        String text;
        if (request.has("items_jsonl")) {
            text = request.get("items_jsonl").asString("");
        } else {
            try {
                text = Files.readString(
                        artifacts.existing(request.get("items_path").asString("")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Jsonl.Line> lines = new ArrayList<>();
        String[] rows = text.split("\n", -1);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].isBlank()) {
                continue;
            }
            try {
                lines.add(new Jsonl.Line(i + 1, json.readTree(rows[i])));
            } catch (JacksonException e) {
                throw badItem(i + 1, "not JSON: " + e.getOriginalMessage());
            }
        }
        return lines;
    }

    private static List<String> tags(ObjectNode data, BenchmarkSpec spec, int line) {
        Set<String> tags = new LinkedHashSet<>();
        JsonNode given = data.get("tags");
        if (given != null && !given.isNull()) {
            if (!given.isArray() || given.size() > 50) {
                throw badItem(line, "'tags' is a list of at most 50 strings");
            }
            for (JsonNode t : given) {
                if (!t.isString() || t.asString().isBlank() || t.asString().length() > 100) {
                    throw badItem(line, "each tag is a string of 1-100 characters");
                }
                tags.add(t.asString());
            }
        }
        if (spec.protocol().equals(BenchmarkSpec.IMPLICIT_MEMORY)) {
            // the report splits by these; tags make them filterable and counted like any other
            for (String field : List.of("construct", "polarity", "condition")) {
                if (data.path(field).isString()) {
                    tags.add(data.get(field).asString());
                }
            }
        }
        return List.copyOf(tags);
    }

    private JsonNode yaml(String text, String field) {
        try {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            if (!(loaded instanceof Map<?, ?>)) {
                throw ApiException.badRequest("invalid-spec", field + " must hold a YAML mapping")
                        .with("field", field);
            }
            return json.valueToTree(loaded);
        } catch (YAMLException e) {
            throw ApiException.badRequest("invalid-spec", field + " is not valid YAML: " + e.getMessage())
                    .with("field", field);
        }
    }

    private static ApiException invalidSpec(String field, String detail) {
        return ApiException.badRequest("invalid-spec", detail).with("field", "spec." + field);
    }

    static ApiException badItem(int line, String detail) {
        return ApiException.badRequest("invalid-benchmark", "item on line " + line + ": " + detail)
                .with("line", line);
    }
}

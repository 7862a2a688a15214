package dev.lmlab.interp.sets;

import dev.lmlab.interp.InterpProperties;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where labelled inputs come from: a JSONL file under the artifacts root, or a set that ships with the service
 * ({@code shipped:big-five}, {@code shipped:role-granularity}).
 */
@Component
public class InputSets {

    /** Shipped sets: name → classpath resource. */
    public static final Map<String, String> SHIPPED = Map.of(
            "big-five", "catalogues/big-five.jsonl",
            "role-granularity", "sets/role-granularity.jsonl");

    private final DataRoot artifacts;
    private final JsonMapper json;
    private final InterpProperties properties;

    public InputSets(DataRoot artifacts, JsonMapper json, InterpProperties properties) {
        this.artifacts = artifacts;
        this.json = json;
        this.properties = properties;
    }

    /** Every row, checked; a 400 naming the line for the first bad one, a 404 for a missing file. */
    public List<LabelledInput> read(String input) {
        try {
            return LabelledInputs.parse(lines(input), properties.maxSetRows());
        } catch (Jsonl.MalformedLineException e) {
            throw LabelledInputs.invalid(e.line(), e.getMessage());
        }
    }

    private List<Jsonl.Line> lines(String input) {
        if (input == null || input.isBlank()) {
            throw ApiException.badRequest(
                            "invalid-params",
                            "input is a JSONL file under the artifacts root or one of shipped:" + SHIPPED.keySet())
                    .with("field", "input");
        }
        if (input.startsWith("shipped:")) {
            String resource = SHIPPED.get(input.substring("shipped:".length()));
            if (resource == null) {
                throw ApiException.notFound(
                                "unknown-input-set",
                                "no shipped input set '" + input + "'; shipped: " + SHIPPED.keySet())
                        .with("field", "input");
            }
            return parse(resource, resource(resource));
        }
        return Jsonl.readLines(artifacts.existing(input), json);
    }

    private List<Jsonl.Line> parse(String name, String text) {
        List<Jsonl.Line> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            if (all[i].isBlank()) {
                continue;
            }
            try {
                lines.add(new Jsonl.Line(i + 1, json.readTree(all[i])));
            } catch (JacksonException e) {
                throw LabelledInputs.invalid(i + 1, name + " is not JSON: " + e.getOriginalMessage());
            }
        }
        return lines;
    }

    private static String resource(String resource) {
        try {
            return new ClassPathResource(resource).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the shipped set " + resource + " is missing from the build", e);
        }
    }
}

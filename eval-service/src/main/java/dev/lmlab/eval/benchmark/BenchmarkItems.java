package dev.lmlab.eval.benchmark;

import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/** A benchmark's items: JSONL rows of {@code id}, {@code prompt}, {@code answer}; every row checked up front. */
record BenchmarkItems(List<Item> items) {

    record Item(String id, String prompt, String answer) {}

    static BenchmarkItems read(Path file, String name, JsonMapper json) {
        List<Jsonl.Line> lines;
        try {
            lines = Jsonl.readLines(file, json);
        } catch (Jsonl.MalformedLineException e) {
            throw ApiException.badRequest("invalid-benchmark", e.getMessage()).with("line", e.line());
        }
        if (lines.isEmpty()) {
            throw ApiException.badRequest("invalid-benchmark", name + " holds no items");
        }
        List<Item> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Jsonl.Line line : lines) {
            String id = text(line, "id", name);
            if (!ids.add(id)) {
                throw ApiException.badRequest(
                                "invalid-benchmark", name + " line " + line.number() + ": id '" + id + "' is repeated")
                        .with("line", line.number());
            }
            items.add(new Item(id, text(line, "prompt", name), text(line, "answer", name)));
        }
        return new BenchmarkItems(List.copyOf(items));
    }

    private static String text(Jsonl.Line line, String field, String name) {
        var value = line.value().get(field);
        if (value == null || !(value.isString() || value.isNumber())) {
            throw ApiException.badRequest(
                            "invalid-benchmark",
                            name + " line " + line.number() + ": '" + field + "' is missing or not a string")
                    .with("line", line.number())
                    .with("row_field", field);
        }
        return value.asString();
    }
}

package dev.lmlab.inference.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The records of a JSONL file, blank lines skipped; a malformed line fails with its line number. */
final class JsonlInput {

    private JsonlInput() {}

    static List<JsonNode> read(Path file, JsonMapper json) {
        List<JsonNode> records = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                try {
                    records.add(json.readTree(lines.get(i)));
                } catch (JacksonException e) {
                    throw new IllegalArgumentException(
                            file.getFileName() + " line " + (i + 1) + " is not JSON: " + e.getOriginalMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }
}

package dev.lmlab.platform.files;

import java.io.BufferedReader;
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

/** JSON Lines files: one JSON value a line, blank lines skipped, every record knowing its line number. */
public final class Jsonl {

    private Jsonl() {}

    /** A record and the (1-based) line it came from, for error messages a person can act on. */
    public record Line(int number, JsonNode value) {}

    /** A line that is not JSON, with its number. */
    public static final class MalformedLineException extends IllegalArgumentException {
        private final int line;

        MalformedLineException(String file, int line, String reason) {
            super(file + " line " + line + " is not JSON: " + reason);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    public static List<Line> readLines(Path file, JsonMapper json) {
        List<Line> records = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int number = 0;
            while ((text = reader.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    records.add(new Line(number, json.readTree(text)));
                } catch (JacksonException e) {
                    throw new MalformedLineException(file.getFileName().toString(), number, e.getOriginalMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return records;
    }

    /** The records alone. */
    public static List<JsonNode> read(Path file, JsonMapper json) {
        return readLines(file, json).stream().map(Line::value).toList();
    }
}

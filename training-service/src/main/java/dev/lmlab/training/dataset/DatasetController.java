package dev.lmlab.training.dataset;

import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.training.files.TrainingRoots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Uploading a JSONL dataset into the artifacts root, where jobs name it by path. Datasets are immutable: the same
 * name with the same bytes is a no-op, with other bytes a 409, so a run's {@code dataset} always means what it
 * meant when the run started.
 */
@RestController
class DatasetController {

    static final Pattern NAME =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,4}");

    private final TrainingRoots roots;
    private final JsonMapper json;

    DatasetController(TrainingRoots roots, JsonMapper json) {
        this.roots = roots;
        this.json = json;
    }

    /** Stores the body (JSON Lines) as {@code datasets/<name>}; every line must be JSON. */
    @PostMapping(path = "/datasets")
    ResponseEntity<Map<String, Object>> upload(@RequestParam String name, @RequestBody byte[] body) {
        if (!NAME.matcher(name).matches() || !name.endsWith(".jsonl")) {
            throw ApiException.badRequest(
                            "invalid-dataset-name",
                            "a dataset name is a relative path of letters, digits, '.', '_' and '-' ending in .jsonl")
                    .with("field", "name");
        }
        String relative = "datasets/" + name;
        Path target = roots.artifacts().newPath(relative);
        String sha = Digests.sha256Hex(body);
        try {
            if (Files.exists(target)) {
                if (!Digests.sha256Hex(target).equals(sha)) {
                    throw ApiException.conflict(
                                    "dataset-exists",
                                    "'" + relative + "' exists with other content; datasets are immutable, upload"
                                            + " under a new name")
                            .with("path", relative);
                }
                return ResponseEntity.ok(describe(relative, target, sha, count(target)));
            }
            Path staging = Files.createTempFile(target.getParent(), ".upload", ".jsonl");
            try {
                Files.write(staging, body);
                int rows = count(staging);
                if (rows == 0) {
                    throw ApiException.badRequest("invalid-dataset", "the upload holds no rows");
                }
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return ResponseEntity.status(HttpStatus.CREATED).body(describe(relative, target, sha, rows));
            } finally {
                Files.deleteIfExists(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int count(Path file) {
        try {
            return Jsonl.readLines(file, json).size();
        } catch (Jsonl.MalformedLineException e) {
            throw ApiException.badRequest("invalid-dataset", e.getMessage().replaceFirst("^\\\\S+ ", "the upload "))
                    .with("line", e.line());
        }
    }

    private static Map<String, Object> describe(String relative, Path file, String sha, int rows) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", relative);
        out.put("rows", rows);
        out.put("bytes", Files.size(file));
        out.put("sha256", sha);
        return out;
    }
}

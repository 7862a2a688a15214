package dev.lmlab.eval.benchmark;

import dev.lmlab.platform.util.Digests;
import dev.lmlab.platform.web.ApiException;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The benchmark registry in the eval schema. Importing the same content again changes nothing; new content under a
 * version no run has used replaces it; a used version is immutable (409), so a report always describes the items
 * its run was graded on.
 */
@Component
public class BenchmarkStore {

    private static final String COLUMNS = "SELECT name, version, spec, content_sha256, item_count, tag_counts,"
            + " created_by, created_at, first_used_at FROM eval.benchmarks";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final JsonMapper canonical;
    private final RowMapper<StoredBenchmark> row;

    public BenchmarkStore(JdbcClient jdbc, TransactionTemplate tx, JsonMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.canonical = json.rebuild()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
        this.row = (rs, n) -> {
            Map<String, Integer> counts = new TreeMap<>();
            json.readTree(rs.getString(6))
                    .properties()
                    .forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
            return new StoredBenchmark(
                    rs.getString(1) + "@" + rs.getString(2),
                    rs.getString(1),
                    rs.getString(2),
                    json.readValue(rs.getString(3), BenchmarkSpec.class),
                    rs.getString(4),
                    rs.getInt(5),
                    counts,
                    rs.getString(7),
                    rs.getObject(8, OffsetDateTime.class).toInstant(),
                    rs.getObject(9) != null);
        };
    }

    /** @param outcome {@code created}, {@code unchanged} (same content as stored) or {@code replaced} */
    public record Imported(StoredBenchmark benchmark, String outcome) {}

    public Imported save(BenchmarkParser.Parsed parsed, String caller) {
        String sha = contentSha(parsed);
        String name = parsed.spec().name();
        return tx.execute(s -> {
            // one import of a name at a time, so version numbering and replacement cannot race
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('eval.benchmarks/' || ?, 0))")
                    .param(name)
                    .query(Object.class)
                    .single();
            String version = parsed.spec().version();
            if (version == null) {
                Optional<StoredBenchmark> latest = latest(name);
                if (latest.isPresent() && latest.get().contentSha256().equals(sha)) {
                    return new Imported(latest.get(), "unchanged");
                }
                version = nextVersion(name);
            }
            Optional<StoredBenchmark> existing = find(name, version);
            String outcome = "created";
            if (existing.isPresent()) {
                if (existing.get().contentSha256().equals(sha)) {
                    return new Imported(existing.get(), "unchanged");
                }
                if (existing.get().used()) {
                    throw ApiException.conflict(
                                    "benchmark-version-used",
                                    name + "@" + version + " was used by a run and cannot change; import the new"
                                            + " content under another version (or leave version out to get the next)")
                            .with("benchmark", name + "@" + version);
                }
                jdbc.sql("DELETE FROM eval.benchmarks WHERE name = ? AND version = ?")
                        .params(name, version)
                        .update();
                outcome = "replaced";
            }
            insert(parsed.spec().withVersion(version), parsed.items(), sha, caller);
            return new Imported(find(name, version).orElseThrow(), outcome);
        });
    }

    private void insert(BenchmarkSpec spec, List<BenchmarkItem> items, String sha, String caller) {
        Map<String, Integer> counts = new TreeMap<>();
        items.forEach(i -> i.tags().forEach(t -> counts.merge(t, 1, Integer::sum)));
        jdbc.sql("INSERT INTO eval.benchmarks (name, version, spec, content_sha256, item_count, tag_counts,"
                        + " created_by) VALUES (?, ?, ?::jsonb, ?, ?, ?::jsonb, ?)")
                .params(
                        spec.name(),
                        spec.version(),
                        json.writeValueAsString(spec),
                        sha,
                        items.size(),
                        json.writeValueAsString(counts),
                        caller)
                .update();
        List<Object[]> rows = new ArrayList<>();
        for (BenchmarkItem item : items) {
            rows.add(new Object[] {
                spec.name(),
                spec.version(),
                item.ordinal(),
                item.id(),
                item.tags().toArray(String[]::new),
                json.writeValueAsString(item.data())
            });
        }
        for (int from = 0; from < rows.size(); from += 1000) {
            List<Object[]> batch = rows.subList(from, Math.min(rows.size(), from + 1000));
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO eval.benchmark_items (benchmark, version, ordinal, item_id, tags, data) VALUES ");
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?::jsonb)");
                params.addAll(Arrays.asList(batch.get(i)));
            }
            jdbc.sql(sql.toString()).params(params).update();
        }
    }

    public Optional<StoredBenchmark> find(String name, String version) {
        return jdbc.sql(COLUMNS + " WHERE name = ? AND version = ?")
                .params(name, version)
                .query(row)
                .optional();
    }

    public Optional<StoredBenchmark> latest(String name) {
        return jdbc.sql(COLUMNS + " WHERE name = ? ORDER BY created_at DESC, version DESC LIMIT 1")
                .param(name)
                .query(row)
                .optional();
    }

    /** {@code name@version}, or {@code name} for its latest version; a 404 naming the known benchmarks otherwise. */
    public StoredBenchmark resolve(String ref) {
        if (ref == null || ref.isBlank()) {
            throw ApiException.badRequest("invalid-params", "benchmark is required: name or name@version")
                    .with("field", "benchmark");
        }
        int at = ref.lastIndexOf('@');
        Optional<StoredBenchmark> found = at < 0 ? latest(ref) : find(ref.substring(0, at), ref.substring(at + 1));
        return found.orElseThrow(() -> ApiException.notFound(
                        "unknown-benchmark", "no benchmark '" + ref + "'; import it with POST /benchmarks")
                .with("field", "benchmark")
                .with(
                        "benchmarks",
                        list().stream().map(StoredBenchmark::id).limit(100).toList()));
    }

    public List<StoredBenchmark> list() {
        return jdbc.sql(COLUMNS + " ORDER BY name, created_at").query(row).list();
    }

    public List<BenchmarkItem> items(String name, String version) {
        return jdbc.sql("SELECT item_id, ordinal, tags, data FROM eval.benchmark_items WHERE benchmark = ? AND"
                        + " version = ? ORDER BY ordinal")
                .params(name, version)
                .query((rs, n) -> new BenchmarkItem(rs.getString(1), rs.getInt(2), strings(rs.getArray(3)), (ObjectNode)
                        json.readTree(rs.getString(4))))
                .list();
    }

    /** From now on the version cannot change. */
    public void markUsed(String name, String version) {
        jdbc.sql("UPDATE eval.benchmarks SET first_used_at = now() WHERE name = ? AND version = ?"
                        + " AND first_used_at IS NULL")
                .params(name, version)
                .update();
    }

    private String nextVersion(String name) {
        List<String> versions = jdbc.sql("SELECT version FROM eval.benchmarks WHERE name = ?")
                .param(name)
                .query(String.class)
                .list();
        int max = versions.stream()
                .filter(v -> v.matches("\\d{1,9}"))
                .mapToInt(Integer::parseInt)
                .max()
                .orElse(0);
        return String.valueOf(max + 1);
    }

    /** The content without its version: the same spec and items hash alike under any version label. */
    private String contentSha(BenchmarkParser.Parsed parsed) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("spec", parsed.spec().withVersion(null));
        content.put("items", parsed.items());
        return Digests.sha256Hex(canonical.writeValueAsString(canonical.valueToTree(content)));
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }
}

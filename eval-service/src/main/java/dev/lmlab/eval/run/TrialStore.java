package dev.lmlab.eval.run;

import dev.lmlab.eval.protocol.Turn;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Trials in the eval schema, one row per (run, item, trial): written once, never regraded. */
@Component
public class TrialStore {

    private static final TypeReference<List<Turn>> TURNS = new TypeReference<>() {};
    private static final String COLUMNS =
            "SELECT item_id, trial, outcome, score, correct, prompt, transcript, response,"
                    + " rationale, judge_output, error, latency_ms, prompt_tokens, completion_tokens FROM eval.trials";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final RowMapper<Trial> row;

    public TrialStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.row = (rs, n) -> new Trial(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3),
                rs.getObject(4, Double.class),
                rs.getObject(5, Boolean.class),
                rs.getString(6),
                json.readValue(rs.getString(7), TURNS),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getLong(12),
                rs.getObject(13, Integer.class),
                rs.getObject(14, Integer.class));
    }

    /**
     * Stores trials; one already there (a worker that lost the job finishing late) is left as it was.
     *
     * @return how many were new
     */
    public int insert(UUID runId, List<Trial> trials) {
        int added = 0;
        for (Trial t : trials) {
            added += jdbc.sql("INSERT INTO eval.trials (run_id, item_id, trial, outcome, score, correct, prompt,"
                            + " transcript, response, rationale, judge_output, error, latency_ms, prompt_tokens,"
                            + " completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT (run_id, item_id, trial) DO NOTHING")
                    .params(
                            runId,
                            t.itemId(),
                            t.trial(),
                            t.outcome(),
                            t.score(),
                            t.correct(),
                            t.prompt(),
                            json.writeValueAsString(t.transcript()),
                            t.response(),
                            t.rationale(),
                            t.judgeOutput(),
                            t.error(),
                            t.latencyMs(),
                            t.promptTokens(),
                            t.completionTokens())
                    .update();
        }
        return added;
    }

    /** The (item, trial) pairs already stored for a run, as {@link #key} strings. */
    public Set<String> done(UUID runId) {
        return new HashSet<>(jdbc.sql("SELECT item_id, trial FROM eval.trials WHERE run_id = ?")
                .param(runId)
                .query((rs, n) -> key(rs.getString(1), rs.getInt(2)))
                .list());
    }

    public static String key(String itemId, int trial) {
        return itemId + '\0' + trial;
    }

    public List<Trial> all(UUID runId) {
        return jdbc.sql(COLUMNS + " WHERE run_id = ? ORDER BY graded_at, item_id, trial")
                .param(runId)
                .query(row)
                .list();
    }

    public List<Trial> page(UUID runId, String itemId, String outcome, int page, int size) {
        return jdbc.sql(COLUMNS + " WHERE run_id = :run AND (CAST(:item AS TEXT) IS NULL OR item_id = :item)"
                        + " AND (CAST(:outcome AS TEXT) IS NULL OR outcome = :outcome)"
                        + " ORDER BY item_id, trial LIMIT :size OFFSET :offset")
                .param("run", runId)
                .param("item", itemId)
                .param("outcome", outcome)
                .param("size", size)
                .param("offset", (long) page * size)
                .query(row)
                .list();
    }

    public long count(UUID runId) {
        return jdbc.sql("SELECT count(*) FROM eval.trials WHERE run_id = ?")
                .param(runId)
                .query(Long.class)
                .single();
    }
}

package dev.lmlab.training.dataset;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.tokenizer.ChatMessage;
import dev.lmlab.core.tokenizer.ChatTemplate;
import dev.lmlab.core.tokenizer.TextTokenizer;
import dev.lmlab.core.train.TrainingExample;
import dev.lmlab.platform.files.Jsonl;
import dev.lmlab.platform.web.ApiException;
import dev.lmlab.training.job.TrainingKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSONL training dataset read, checked and tokenized for one job. Every row is checked before anything trains:
 * the first bad row fails the submission with its line number and the field at fault.
 *
 * <p>Rows, by kind:
 *
 * <ul>
 *   <li>{@code pretrain}: {@code text}, or {@code prompt} + {@code response}, or {@code messages}; every token is
 *       trained on;
 *   <li>{@code sft}, {@code nelbo_sft}: {@code prompt} + {@code response}, or {@code messages} whose last turn is
 *       the assistant's (the response; earlier turns are rendered with the chat template);
 *   <li>{@code trajectory_nelbo}, {@code tabom}: trajectory records as the inference service's
 *       trajectory-generation job writes them: {@code response_token_ids}, {@code decoding_order} (same length),
 *       and {@code prompt_token_ids} (else {@code prompt} text or {@code messages}, tokenized as the inference
 *       service does).
 * </ul>
 *
 * <p>Prompts are encoded as the inference service encodes them (plain text with the tokenizer's special tokens;
 * chats rendered with the generation prompt), so a trained model sees the same tokens when served.
 */
public record TrainingData(List<TrainingExample> examples, long tokens, int longest) {

    /**
     * @param maxLength the longest sequence allowed (the smaller of the job's max_length and the model's context)
     */
    public static TrainingData load(
            Path file,
            String name,
            TrainingKind kind,
            TextTokenizer tokenizer,
            ModelConfig config,
            int maxLength,
            boolean appendEos,
            int maxRows,
            JsonMapper json) {
        List<Jsonl.Line> lines;
        try {
            lines = Jsonl.readLines(file, json);
        } catch (Jsonl.MalformedLineException e) {
            throw ApiException.badRequest("invalid-dataset", e.getMessage())
                    .with("field", "dataset")
                    .with("line", e.line());
        }
        if (lines.isEmpty()) {
            throw ApiException.badRequest("invalid-dataset", name + " holds no rows")
                    .with("field", "dataset");
        }
        if (lines.size() > maxRows) {
            throw ApiException.badRequest(
                            "invalid-dataset", name + " holds " + lines.size() + " rows; the limit is " + maxRows)
                    .with("field", "dataset");
        }
        Row.Context context = new Row.Context(name, kind, tokenizer, config, maxLength, appendEos);
        List<TrainingExample> examples = new ArrayList<>(lines.size());
        long tokens = 0;
        int longest = 0;
        for (Jsonl.Line line : lines) {
            TrainingExample e = Row.parse(line, context);
            examples.add(e);
            tokens += e.length();
            longest = Math.max(longest, e.length());
        }
        return new TrainingData(List.copyOf(examples), tokens, longest);
    }

    public int size() {
        return examples.size();
    }

    /** One row's parsing and checks. */
    static final class Row {

        record Context(
                String name,
                TrainingKind kind,
                TextTokenizer tokenizer,
                ModelConfig config,
                int maxLength,
                boolean appendEos) {}

        private Row() {}

        static TrainingExample parse(Jsonl.Line line, Context c) {
            JsonNode row = line.value();
            if (!row.isObject()) {
                throw error(c, line, null, "is not a JSON object");
            }
            TrainingExample e = c.kind().trajectories() ? trajectory(row, line, c) : sequence(row, line, c);
            check(e, line, c);
            return e;
        }

        private static TrainingExample sequence(JsonNode row, Jsonl.Line line, Context c) {
            long[] prompt;
            long[] response;
            if (row.hasNonNull("messages")) {
                List<ChatMessage> turns = messages(row.get("messages"), line, c);
                ChatMessage last = turns.get(turns.size() - 1);
                if (!"assistant".equals(last.role())) {
                    throw error(c, line, "messages", "must end with the assistant's turn (the response to train on)");
                }
                prompt = encodeChat(turns.subList(0, turns.size() - 1), line, c);
                response = c.tokenizer().encode(last.content(), false);
            } else if (row.hasNonNull("prompt") || row.hasNonNull("response")) {
                prompt = c.tokenizer().encodePrompt(text(row, "prompt", line, c));
                response = c.tokenizer().encode(text(row, "response", line, c), false);
            } else if (row.hasNonNull("text") && c.kind() == TrainingKind.PRETRAIN) {
                prompt = new long[0];
                response = c.tokenizer().encodePrompt(text(row, "text", line, c));
            } else {
                throw error(
                        c,
                        line,
                        null,
                        c.kind() == TrainingKind.PRETRAIN
                                ? "needs 'text', 'prompt' and 'response', or 'messages'"
                                : "needs 'prompt' and 'response', or 'messages'");
            }
            if (response.length == 0 && c.kind() != TrainingKind.PRETRAIN) {
                throw error(c, line, "response", "is empty: there is nothing to train on");
            }
            if (c.appendEos()) {
                Long eos = c.tokenizer().specials().eosId();
                if (eos == null && !c.config().eosTokenIds().isEmpty()) {
                    eos = c.config().eosTokenIds().get(0).longValue();
                }
                if (eos == null) {
                    throw error(
                            c,
                            line,
                            null,
                            "cannot end the response with eos: the model declares no eos token;"
                                    + " set append_eos to false");
                }
                response = append(response, eos);
            }
            if (c.kind() == TrainingKind.PRETRAIN) {
                // pretraining trains on everything: the prompt is just the start of the text
                return TrainingExample.of(new long[0], concat(prompt, response));
            }
            return TrainingExample.of(prompt, response);
        }

        private static TrainingExample trajectory(JsonNode row, Jsonl.Line line, Context c) {
            long[] prompt;
            if (row.hasNonNull("prompt_token_ids")) {
                prompt = ids(row.get("prompt_token_ids"), "prompt_token_ids", line, c);
            } else if (row.hasNonNull("messages")) {
                prompt = encodeChat(messages(row.get("messages"), line, c), line, c);
            } else if (row.hasNonNull("prompt") && row.get("prompt").isArray()) {
                prompt = encodeChat(messages(row.get("prompt"), line, c), line, c);
            } else if (row.hasNonNull("prompt")) {
                prompt = c.tokenizer().encodePrompt(text(row, "prompt", line, c));
            } else {
                throw error(c, line, null, "needs 'prompt_token_ids' (or 'prompt' / 'messages')");
            }
            if (!row.hasNonNull("response_token_ids")) {
                throw error(c, line, "response_token_ids", "is missing: is this a trajectory dataset?");
            }
            if (!row.hasNonNull("decoding_order")) {
                throw error(c, line, "decoding_order", "is missing: is this a trajectory dataset?");
            }
            long[] response = ids(row.get("response_token_ids"), "response_token_ids", line, c);
            long[] order = ids(row.get("decoding_order"), "decoding_order", line, c);
            if (order.length != response.length) {
                throw error(
                        c,
                        line,
                        "decoding_order",
                        "has " + order.length + " steps for " + response.length + " response tokens");
            }
            if (response.length == 0) {
                throw error(c, line, "response_token_ids", "is empty: there is nothing to train on");
            }
            int[] steps = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                if (order[i] < 0 || order[i] > Integer.MAX_VALUE) {
                    throw error(c, line, "decoding_order", "step " + order[i] + " at position " + i + " is negative");
                }
                steps[i] = (int) order[i];
            }
            return new TrainingExample(prompt, response, steps);
        }

        private static void check(TrainingExample e, Jsonl.Line line, Context c) {
            if (e.length() > c.maxLength()) {
                throw error(
                        c,
                        line,
                        null,
                        "is " + e.length() + " tokens long; the limit is " + c.maxLength()
                                + " (max_length, or the model's context of "
                                + c.config().maxPositions() + ")");
            }
            int vocab = c.config().vocabSize();
            Integer mask = c.config().maskTokenId();
            for (long[] part : new long[][] {e.prompt(), e.response()}) {
                for (long id : part) {
                    if (id < 0 || id >= vocab) {
                        throw error(c, line, null, "holds token id " + id + ", outside the vocabulary of " + vocab);
                    }
                    if (mask != null && id == mask) {
                        throw error(c, line, null, "holds the mask token (" + mask + "), which training adds itself");
                    }
                }
            }
        }

        private static long[] encodeChat(List<ChatMessage> turns, Jsonl.Line line, Context c) {
            if (turns.isEmpty()) {
                return new long[0];
            }
            try {
                return c.tokenizer().encodeChat(turns);
            } catch (ChatTemplate.ChatTemplateException e) {
                throw error(c, line, "messages", "could not be rendered: " + e.getMessage());
            }
        }

        private static List<ChatMessage> messages(JsonNode messages, Jsonl.Line line, Context c) {
            if (!messages.isArray() || messages.isEmpty()) {
                throw error(c, line, "messages", "must be a non-empty list of {role, content}");
            }
            List<ChatMessage> turns = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                if (!m.path("role").isString() || !m.path("content").isString()) {
                    throw error(c, line, "messages[" + i + "]", "needs a string 'role' and a string 'content'");
                }
                turns.add(new ChatMessage(
                        m.get("role").asString(), m.get("content").asString()));
            }
            return turns;
        }

        private static String text(JsonNode row, String field, Jsonl.Line line, Context c) {
            JsonNode value = row.get(field);
            if (value == null || !value.isString()) {
                throw error(c, line, field, value == null || value.isNull() ? "is missing" : "must be a string");
            }
            return value.asString();
        }

        private static long[] ids(JsonNode array, String field, Jsonl.Line line, Context c) {
            if (!array.isArray()) {
                throw error(c, line, field, "must be a list of integers");
            }
            long[] out = new long[array.size()];
            for (int i = 0; i < out.length; i++) {
                if (!array.get(i).isIntegralNumber()) {
                    throw error(c, line, field, "item " + i + " is " + array.get(i) + ", not an integer");
                }
                out[i] = array.get(i).asLong();
            }
            return out;
        }

        private static ApiException error(Context c, Jsonl.Line line, String field, String problem) {
            String where = c.name() + " line " + line.number() + (field == null ? "" : ": '" + field + "'");
            ApiException e = ApiException.badRequest("invalid-dataset", where + " " + problem)
                    .with("line", line.number());
            return field == null ? e : e.with("row_field", field);
        }

        private static long[] append(long[] ids, long id) {
            long[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
            out[ids.length] = id;
            return out;
        }

        private static long[] concat(long[] a, long[] b) {
            long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}

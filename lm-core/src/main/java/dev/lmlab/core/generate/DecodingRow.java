package dev.lmlab.core.generate;

import dev.lmlab.core.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** The state of one generated sequence while its batch decodes: sampling, stop conditions and streamed text. */
final class DecodingRow {
    final long[] prompt;
    final int pad;
    final SplittableRandom random;
    final List<Long> generated = new ArrayList<>();
    final List<Generation.TokenLogprob> logprobs = new ArrayList<>();
    String finished;
    String text = "";
    int streamed;

    DecodingRow(long[] prompt, int pad, SplittableRandom random) {
        this.prompt = prompt;
        this.pad = pad;
        this.random = random;
    }

    List<Long> seen() {
        List<Long> all = new ArrayList<>(prompt.length + generated.size());
        for (long id : prompt) {
            all.add(id);
        }
        all.addAll(generated);
        return all;
    }

    void accept(
            int token,
            float[] logits,
            SamplingParams p,
            Set<Long> stopIds,
            TextTokenizer tokenizer,
            StreamListener listener,
            int index) {
        if (stopIds.contains((long) token)) {
            finished = "stop";
            return;
        }
        generated.add((long) token);
        if (p.topLogprobs() > 0) {
            logprobs.add(Logprobs.of(logits, token, p.topLogprobs(), tokenizer));
        }
        text = tokenizer.decode(ids(), true);
        for (String s : p.stop()) {
            int at = text.indexOf(s);
            if (!s.isEmpty() && at >= 0) {
                text = text.substring(0, at);
                finished = "stop";
            }
        }
        if (finished == null && generated.size() >= p.maxNewTokens()) {
            finished = "length";
        }
        stream(p, listener, index);
    }

    /** Emits text that can no longer change: not a partial character, not the start of a stop string. */
    private void stream(SamplingParams p, StreamListener listener, int index) {
        int safe = text.length();
        if (finished == null) {
            while (safe > streamed && text.charAt(safe - 1) == '\uFFFD') {
                safe--;
            }
            for (String s : p.stop()) {
                for (int k = Math.min(s.length() - 1, safe - streamed); k > 0; k--) {
                    if (text.startsWith(s.substring(0, k), safe - k)) {
                        safe -= k;
                        break;
                    }
                }
            }
        }
        if (safe > streamed) {
            listener.onText(index, text.substring(streamed, safe));
            streamed = safe;
        }
    }

    long[] ids() {
        return generated.stream().mapToLong(Long::longValue).toArray();
    }

    Generation result(TextTokenizer tokenizer, StreamListener listener) {
        if (finished == null) {
            finished = "length";
        }
        long[] tokens = ids();
        if (finished.equals("stop") && !text.isEmpty()) {
            // a stop string cut the text: drop the tokens that only spell it
            while (tokens.length > 0
                    && tokenizer
                            .decode(Arrays.copyOf(tokens, tokens.length - 1), true)
                            .startsWith(text)) {
                tokens = Arrays.copyOf(tokens, tokens.length - 1);
            }
        }
        return new Generation(prompt, tokens, text, finished, List.copyOf(logprobs));
    }
}

package dev.lmlab.interp.sae;

import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.interp.peers.InferencePeer;
import dev.lmlab.interp.sets.LabelledInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training rows captured from the inference service as training goes, with no activation set stored: step b captures
 * {@code textsPerStep} texts (the b-th chunk of a seeded order of the input, a new order each epoch) at the hook, one
 * row per token, shuffles them with (seed, b) and keeps up to the batch size. A batch is a function of (seed, step),
 * so a revived run continues exactly without saving any buffer; the price is one capture call per step. The last
 * texts of the input are held out for the final evaluation.
 */
final class StreamedRows implements TrainingRows {

    private final InferencePeer inference;
    private final InferencePeer.ModelInfo model;
    private final String hook;
    private final String input;
    private final List<LabelledInput> train;
    private final List<LabelledInput> held;
    private final int textsPerStep;
    private final boolean skipFirst;
    private Long estimate;

    StreamedRows(
            InferencePeer inference,
            InferencePeer.ModelInfo model,
            String hook,
            String input,
            List<LabelledInput> texts,
            double heldOutFraction,
            int textsPerStep,
            boolean skipFirst) {
        this.inference = inference;
        this.model = model;
        this.hook = hook;
        this.input = input;
        int heldCount = texts.size() < 2 ? 0 : Math.max(1, (int) Math.round(texts.size() * heldOutFraction));
        this.train = List.copyOf(texts.subList(0, texts.size() - heldCount));
        this.held = List.copyOf(texts.subList(texts.size() - heldCount, texts.size()));
        this.textsPerStep = Math.min(textsPerStep, Math.max(1, train.size()));
        this.skipFirst = skipFirst;
    }

    @Override
    public int width() {
        return model.dModel();
    }

    /** Estimated from the first chunk's tokens per text. */
    @Override
    public long trainRows() {
        if (estimate == null) {
            List<LabelledInput> first = train.subList(0, Math.min(textsPerStep, train.size()));
            estimate = first.isEmpty() ? 0 : (long) capture(first).size() * train.size() / first.size();
        }
        return estimate;
    }

    @Override
    public float[][] batch(long step, int size, long seed) {
        long position = step * textsPerStep;
        List<LabelledInput> chunk = new ArrayList<>();
        for (int i = 0; i < textsPerStep; i++) {
            long at = position + i;
            long epoch = at / train.size();
            int[] order =
                    dev.lmlab.core.util.Permutations.of(train.size(), new SplittableRandom(seed * 1_000_003L + epoch));
            chunk.add(train.get(order[(int) (at % train.size())]));
        }
        List<float[]> rows = capture(chunk);
        int[] shuffle = dev.lmlab.core.util.Permutations.of(rows.size(), new SplittableRandom(seed * 31 + step));
        float[][] out = new float[Math.min(size, rows.size())][];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(shuffle[i]);
        }
        return out;
    }

    @Override
    public float[][] heldOut(int max) {
        return collect(held.isEmpty() ? train : held, max);
    }

    @Override
    public float[][] sample(int max) {
        return collect(train, max);
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lmlab_streamed_input", input);
        p.put("lmlab_texts_per_step", textsPerStep);
        return p;
    }

    private float[][] collect(List<LabelledInput> texts, int max) {
        List<float[]> rows = new ArrayList<>();
        for (int from = 0; from < texts.size() && rows.size() < max; from += textsPerStep) {
            rows.addAll(capture(texts.subList(from, Math.min(texts.size(), from + textsPerStep))));
        }
        return rows.subList(0, Math.min(max, rows.size())).toArray(float[][]::new);
    }

    /** One row per token of each text (the first token left out), captured now. */
    private List<float[]> capture(List<LabelledInput> texts) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model.id());
        request.put("inputs", texts.stream().map(LabelledInput::input).toList());
        request.put("hooks", List.of(hook));
        request.put("positions", "all");
        Path file;
        try {
            file = Files.createTempFile("lmlab-sae-stream", ".safetensors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            inference.activations(request, file);
            List<float[]> rows = new ArrayList<>();
            int d = model.dModel();
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (int i = 0; i < texts.size(); i++) {
                    float[] flat = f.readFloats(hook + "/" + i);
                    int t = flat.length / d;
                    for (int p = skipFirst && t > 1 ? 1 : 0; p < t; p++) {
                        rows.add(java.util.Arrays.copyOfRange(flat, p * d, (p + 1) * d));
                    }
                }
            }
            return rows;
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is not worth failing a training step for
            }
        }
    }
}

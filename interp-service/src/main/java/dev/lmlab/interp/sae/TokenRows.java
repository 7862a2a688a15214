package dev.lmlab.interp.sae;

import dev.lmlab.core.safetensors.SafetensorsFile;
import dev.lmlab.core.safetensors.TensorInfo;
import dev.lmlab.interp.sets.ActivationSet;
import dev.lmlab.platform.files.DataRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The activation vectors of one hook of a set, as SAE training and evaluation read them: one row per token (sets
 * captured with pooling {@code all}, the first token of each input left out by default: its activations are
 * outliers an SAE should not spend latents on) or one per input (pooled sets). Only shard headers are read up
 * front; batches read one shard at a time, so a set larger than memory streams. The last shards are held out for
 * evaluation. Batch b of a seed is always the same rows, which is what makes a resumed training run identical.
 */
public final class TokenRows implements TrainingRows {

    /** A shard's rows: how many, and where they come from. */
    record Shard(Path file, List<String> tensors, int rows) {}

    private final String hook;
    private final String setId;
    private final int width;
    private final boolean skipFirst;
    private final List<Shard> train;
    private final List<Shard> held;
    private Shard cachedShard;
    private float[][] cachedRows;

    private TokenRows(String hook, String setId, int width, boolean skipFirst, List<Shard> train, List<Shard> held) {
        this.hook = hook;
        this.setId = setId;
        this.width = width;
        this.skipFirst = skipFirst;
        this.train = train;
        this.held = held;
    }

    /**
     * @param heldOutFraction the share of shards (at least one when there are two or more) kept for evaluation
     */
    public static TokenRows open(
            ActivationSet set, String hook, DataRoot artifacts, double heldOutFraction, boolean skipFirst) {
        List<Shard> shards = new ArrayList<>();
        int width = set.widths().getOrDefault(hook, 0);
        for (int s = 0; ; s++) {
            Path file = artifacts.folder().resolve(set.folder()).resolve(String.format("shard-%05d.safetensors", s));
            if (!java.nio.file.Files.exists(file)) {
                break;
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                List<String> tensors = new ArrayList<>();
                int rows = 0;
                if (set.pooled()) {
                    TensorInfo t = f.require(hook);
                    tensors.add(hook);
                    rows = (int) t.shape()[0];
                } else {
                    for (int i = 0; f.find(hook + "/" + i).isPresent(); i++) {
                        TensorInfo t = f.require(hook + "/" + i);
                        tensors.add(hook + "/" + i);
                        rows += (int) t.shape()[0] - (skipFirst && t.shape()[0] > 1 ? 1 : 0);
                    }
                }
                shards.add(new Shard(file, tensors, rows));
            }
        }
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("activation set " + set.id() + " has no shards");
        }
        int heldCount = shards.size() < 2 ? 0 : Math.max(1, (int) Math.round(shards.size() * heldOutFraction));
        return new TokenRows(
                hook,
                set.id().toString(),
                width,
                skipFirst && !set.pooled(),
                List.copyOf(shards.subList(0, shards.size() - heldCount)),
                List.copyOf(shards.subList(shards.size() - heldCount, shards.size())));
    }

    @Override
    public java.util.Map<String, Object> provenance() {
        return java.util.Map.of("lmlab_activation_set", setId);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public long trainRows() {
        return train.stream().mapToLong(Shard::rows).sum();
    }

    public long heldOutRows() {
        return held.stream().mapToLong(Shard::rows).sum();
    }

    /**
     * Batch {@code step} of training: rows drawn without replacement through an epoch, each epoch in a new shard
     * order and, within a shard, a new row order, all from {@code seed}.
     */
    @Override
    public float[][] batch(long step, int size, long seed) {
        long total = trainRows();
        float[][] out = new float[size][];
        long start = step * size;
        for (int i = 0; i < size; i++) {
            long position = (start + i) % total;
            long epoch = (start + i) / total;
            out[i] = row(position, epoch, seed);
        }
        return out;
    }

    /** Up to {@code max} held-out rows, in order (all training rows when nothing is held out). */
    @Override
    public float[][] heldOut(int max) {
        List<Shard> from = held.isEmpty() ? train : held;
        List<float[]> rows = new ArrayList<>();
        for (Shard s : from) {
            for (float[] r : read(s)) {
                if (rows.size() >= max) {
                    return rows.toArray(float[][]::new);
                }
                rows.add(r);
            }
        }
        return rows.toArray(float[][]::new);
    }

    /** A sample of training rows (the first shards), for initialising b_dec. */
    @Override
    public float[][] sample(int max) {
        List<float[]> rows = new ArrayList<>();
        for (Shard s : train) {
            for (float[] r : read(s)) {
                if (rows.size() >= max) {
                    return rows.toArray(float[][]::new);
                }
                rows.add(r);
            }
        }
        return rows.toArray(float[][]::new);
    }

    private float[] row(long position, long epoch, long seed) {
        Epoch e = epoch(epoch, seed);
        long skipped = 0;
        for (int o : e.shardOrder()) {
            Shard s = train.get(o);
            if (position < skipped + s.rows()) {
                int[] rowOrder = e.rowOrders()
                        .computeIfAbsent(
                                o,
                                x -> dev.lmlab.core.util.Permutations.of(
                                        s.rows(), new SplittableRandom(seed * 31 + epoch * 1_000_003L + x)));
                return read(s)[rowOrder[(int) (position - skipped)]];
            }
            skipped += s.rows();
        }
        throw new IllegalStateException("row " + position + " is past the set's " + skipped + " rows");
    }

    /** One epoch's shard order and (lazily) row orders, kept while batches stay in that epoch. */
    private record Epoch(long index, long seed, int[] shardOrder, java.util.Map<Integer, int[]> rowOrders) {}

    private Epoch current;

    private Epoch epoch(long epoch, long seed) {
        if (current == null || current.index() != epoch || current.seed() != seed) {
            current = new Epoch(
                    epoch,
                    seed,
                    dev.lmlab.core.util.Permutations.of(train.size(), new SplittableRandom(seed * 1_000_003L + epoch)),
                    new java.util.HashMap<>());
        }
        return current;
    }

    /** A shard's rows; the last shard read stays in memory (batches mostly read within one shard). */
    private synchronized float[][] read(Shard s) {
        if (s.equals(cachedShard)) {
            return cachedRows;
        }
        float[][] rows = new float[s.rows()][];
        int r = 0;
        try (SafetensorsFile f = SafetensorsFile.open(s.file())) {
            for (String name : s.tensors()) {
                float[] flat = f.readFloats(name);
                int n = flat.length / width;
                for (int i = skipFirst && n > 1 ? 1 : 0; i < n; i++) {
                    rows[r++] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
                }
            }
        }
        cachedShard = s;
        cachedRows = rows;
        return rows;
    }

    String hook() {
        return hook;
    }
}

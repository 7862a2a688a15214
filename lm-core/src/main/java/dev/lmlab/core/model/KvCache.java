package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.ModelConfig;

/**
 * Keys and values of earlier positions, per layer, preallocated to a capacity so that a decoding step writes one
 * slice in place instead of copying the whole cache. Layout (B, Hkv, capacity, K).
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, int capacity) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        this.capacity = capacity;
    }

    public static KvCache allocate(ModelConfig config, int batch, int capacity, NDManager parent) {
        NDManager manager = parent.newSubManager();
        int layers = config.numLayers();
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        Shape shape = new Shape(batch, config.numKvHeads(), capacity, config.headDim());
        for (int l = 0; l < layers; l++) {
            k[l] = manager.zeros(shape);
            v[l] = manager.zeros(shape);
        }
        return new KvCache(manager, k, v, capacity);
    }

    /** Positions already cached. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Writes this step's keys and values (B, Hkv, T, K) for {@code layer} after the cached ones and returns views
     * of everything cached so far plus them: {keys, values}, each (B, Hkv, length + T, K).
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        int t = (int) k.getShape().get(2);
        int end = length + t;
        if (end > capacity) {
            throw new IllegalStateException("KV cache holds " + capacity + " positions; this step needs " + end);
        }
        if (keys[layer].getDataType() != k.getDataType()) {
            // allocated as float32 before the first write; a float16 model's cache follows its activations
            if (length > 0) {
                throw new IllegalStateException(
                        "KV cache holds " + keys[layer].getDataType() + "; this step writes " + k.getDataType());
            }
            Shape shape = keys[layer].getShape();
            keys[layer].close();
            values[layer].close();
            keys[layer] = manager.zeros(shape, k.getDataType());
            values[layer] = manager.zeros(shape, k.getDataType());
        }
        NDIndex slot = new NDIndex(":, :, {}:{}, :", length, end);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        NDIndex upTo = new NDIndex(":, :, :{}, :", end);
        NDArray kAll = keys[layer].get(upTo);
        NDArray vAll = values[layer].get(upTo);
        kAll.attach(k.getManager());
        vAll.attach(k.getManager());
        return new NDArray[] {kAll, vAll};
    }

    /** Commits {@code t} new positions once every layer has appended them. */
    void advance(int t) {
        length += t;
    }

    /** Copies of layer {@code layer}'s keys and values, (B, Hkv, capacity, K) flattened: {keys, values}. */
    public float[][] copyLayer(int layer) {
        return new float[][] {keys[layer].toFloatArray(), values[layer].toFloatArray()};
    }

    /** Forgets positions from {@code newLength} on (they are overwritten by the next append). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " to " + newLength);
        }
        length = newLength;
    }

    @Override
    public void close() {
        manager.close();
    }
}

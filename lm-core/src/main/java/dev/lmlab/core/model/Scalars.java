package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars as engine-owned 0-dim tensors, for arithmetic on tensors that carry gradients.
 *
 * <p>Why: DJL's {@code mul(Number)}, {@code div(Number)}, {@code maximum(Number)} wrap the number in a tensor backed
 * by a Java direct buffer and close it as soon as the op returns. When the op is recorded for backward, autograd
 * keeps that tensor for the backward pass, but its memory now belongs to a buffer the garbage collector may free at
 * any moment: backward then reads whatever the memory holds next. It showed as training runs that drifted apart
 * after a few hundred identical steps, now and then a NaN. {@code full} allocates in the engine's own memory, which
 * autograd's reference keeps alive.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code value} as a 0-dim tensor of {@code like}'s type and device, attached to its manager. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}

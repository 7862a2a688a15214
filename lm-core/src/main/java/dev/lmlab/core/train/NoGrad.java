package dev.lmlab.core.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which PyTorch records no autograd graph, restoring the thread's previous mode on close. PyTorch keeps
 * the mode per thread and a new thread starts with recording on, so code that updates parameters in place (an
 * optimizer step) or runs a model outside training on a pooled thread must say so explicitly; otherwise in-place
 * updates of parameters fail ("a leaf Variable that requires grad is being used in an in-place operation") and
 * forward passes build graphs no one will use.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad scope() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}

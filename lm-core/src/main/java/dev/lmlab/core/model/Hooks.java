package dev.lmlab.core.model;

import ai.djl.ndarray.NDArray;

/**
 * What the forward pass calls at every hook point: it may read the activation (capture) or return a replacement
 * (steering, ablation, SAE splice). Implementations live in {@code dev.lmlab.core.hooks}; the model only knows
 * this interface.
 */
public interface Hooks {

    /** No hooks: the forward pass skips every hook call. */
    Hooks NONE = new Hooks() {
        @Override
        public boolean active(String hookPoint) {
            return false;
        }

        @Override
        public NDArray at(String hookPoint, NDArray activation, HookSite site) {
            return activation;
        }
    };

    /** Whether anything listens at {@code hookPoint}; the model skips the call otherwise. */
    boolean active(String hookPoint);

    /**
     * Called with the activation at {@code hookPoint} ({@code [B, T, D]}); returns it, or a tensor of the same
     * shape to continue with.
     */
    NDArray at(String hookPoint, NDArray activation, HookSite site);
}

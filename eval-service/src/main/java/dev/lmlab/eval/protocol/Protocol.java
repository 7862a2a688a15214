package dev.lmlab.eval.protocol;

import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetException;
import tools.jackson.databind.node.ObjectNode;

/** How a benchmark item becomes one trial's exchange with a target. */
public interface Protocol {

    /** Checks at import that the item has what this protocol reads; {@link IllegalArgumentException} otherwise. */
    void checkItem(ObjectNode item);

    /** One trial: every call it makes to the target draws from {@code seed} onwards, so trials are reproducible. */
    Session run(Target target, ObjectNode item, Sampling sampling, long seed)
            throws TargetException, InterruptedException;
}

package dev.lmlab.eval.target;

/**
 * A target that did not give an answer: unreachable, too slow, refusing the call, or answering something that is
 * not a completion. Recorded on the trial it belongs to; never a reason to lose the run's other trials.
 */
public class TargetException extends Exception {

    public TargetException(String message) {
        super(message);
    }

    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.lmlab.platform.run;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a run: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED}. A queued run may also be
 * cancelled, or failed before it starts (an unknown job kind, a worker that keeps dying). Terminal states
 * are final; every other move is refused with 409.
 */
public enum RunStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The states a run may be in just before it moves to this one. */
    public Set<RunStatus> predecessors() {
        return switch (this) {
            case QUEUED -> EnumSet.noneOf(RunStatus.class);
            case RUNNING -> EnumSet.of(QUEUED);
            case SUCCEEDED -> EnumSet.of(RUNNING);
            case FAILED, CANCELLED -> EnumSet.of(QUEUED, RUNNING);
        };
    }

    public boolean canBecome(RunStatus next) {
        return next.predecessors().contains(this);
    }

    public static RunStatus parse(String value) {
        for (RunStatus s : values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException(value);
    }
}

package dev.lmlab.eval.target;

import java.util.List;

/** A model that answers prompts: one served by the inference service, or an outside OpenAI-compatible endpoint. */
public interface Target {

    /** A raw-prompt completion ({@code /v1/completions}). */
    Reply complete(String prompt, Sampling sampling, long seed) throws TargetException, InterruptedException;

    /** The next assistant message of a conversation ({@code /v1/chat/completions}). */
    Reply chat(List<Message> messages, Sampling sampling, long seed) throws TargetException, InterruptedException;

    /** How logs and error messages name it, e.g. {@code model 'm' at http://host:8000/v1}. */
    String describe();
}

package dev.lmlab.eval.target;

/**
 * What a target answered to one call.
 *
 * @param promptTokens as the endpoint reported them; null when it reports no usage
 * @param latencyMillis from sending the request to reading the whole answer, retries after a full queue included
 */
public record Reply(String text, Integer promptTokens, Integer completionTokens, long latencyMillis) {}

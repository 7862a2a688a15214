package dev.lmlab.eval.protocol;

/**
 * One message of a trial's transcript.
 *
 * @param phase {@code prompt} for single-turn trials; {@code learning}, {@code interference} or {@code test} in a
 *     session
 * @param generated whether the target wrote it in this trial (false for the item's scripted turns)
 */
public record Turn(String phase, String role, String content, boolean generated) {}

package dev.lmlab.interp.sets;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One row of an activation set: what the model reads (any {@code /v1/activations} input form) and its labels.
 *
 * @param input the input as the inference service takes it: {@code {text}}, {@code {prompt, response}}, {@code
 *     {messages}} or {@code {input_ids, prompt_length}}
 * @param labels label key → value, e.g. {@code role: cardiologist, level: 3, variant: intro}
 */
public record LabelledInput(String id, JsonNode input, Map<String, String> labels) {}

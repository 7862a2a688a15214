package dev.lmlab.inference.diffusion;

import dev.lmlab.core.generate.DiffusionParams;
import dev.lmlab.core.model.LanguageModel;
import dev.lmlab.inference.text.Fields;
import dev.lmlab.platform.web.ApiException;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Diffusion decoding parameters from a request, with defaults from the checkpoint's generation config
 * ({@code steps}, {@code block_length}, {@code remasking}, ...) and then LLaDA's: one step per position, blocks of
 * 32 where they divide the length.
 */
public final class DiffusionSettings {

    private DiffusionSettings() {}

    public static DiffusionParams from(
            LanguageModel model, JsonNode body, int genLength, long seed, boolean trajectory) {
        JsonNode defaults = model.generation().raw();
        int steps = Fields.integer(body, "steps", Fields.integer(defaults, "steps", genLength, 1, 1 << 20), 1, 1 << 16);
        int fallbackBlock = genLength % 32 == 0 ? 32 : genLength;
        int block = Fields.integer(
                body, "block_length", Fields.integer(defaults, "block_length", fallbackBlock, 1, 1 << 20), 1, 1 << 16);
        if (!Fields.has(body, "block_length") && genLength % block != 0) {
            block = genLength;
        }
        if (!Fields.has(body, "steps") && steps % (genLength / Math.max(1, Math.min(block, genLength))) != 0) {
            steps = genLength;
        }
        String remasking = Fields.string(body, "remasking", Fields.string(defaults, "remasking", "low_confidence"));
        DiffusionParams.Remasking mode;
        try {
            mode = DiffusionParams.Remasking.valueOf(remasking.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Fields.invalid("remasking", "'remasking' is low_confidence or random, got '" + remasking + "'");
        }
        double temperature = Fields.number(body, "temperature", 0.0, 0, 100);
        double cfg = Fields.number(body, "cfg_scale", Fields.number(defaults, "cfg_scale", 0.0, 0, 100), 0, 100);
        Double threshold = Fields.number(body, "threshold", null, 0, 1);
        boolean cache = Fields.bool(body, "use_cache", false);
        try {
            return new DiffusionParams(
                    genLength, steps, block, mode, temperature, cfg, threshold, cache, trajectory, seed);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-diffusion-params", e.getMessage());
        }
    }
}

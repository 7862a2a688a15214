package dev.lmlab.training.job;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.tokenizer.TextTokenizer;
import dev.lmlab.training.TrainingProperties;
import dev.lmlab.training.dataset.TrainingData;
import dev.lmlab.training.files.TrainingRoots;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** A job's dataset read for its model: the same rules at submission (the check) and when the job runs. */
@Component
class Datasets {

    private final TrainingRoots roots;
    private final TrainingProperties properties;
    private final JsonMapper json;

    Datasets(TrainingRoots roots, TrainingProperties properties, JsonMapper json) {
        this.roots = roots;
        this.properties = properties;
        this.json = json;
    }

    TrainingData load(TrainingKind kind, TrainingParams p, TextTokenizer tokenizer, ModelConfig config) {
        // the longest sequence allowed: max_length when given, never beyond the model's context
        int maxLength = p.maxLength() == null ? config.maxPositions() : Math.min(p.maxLength(), config.maxPositions());
        return TrainingData.load(
                roots.artifacts().existing(p.dataset()),
                p.dataset(),
                kind,
                tokenizer,
                config,
                maxLength,
                kind.appendsEos(p),
                properties.maxDatasetRows(),
                json);
    }
}

package dev.lmlab.training.files;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.files.DataRoot;
import dev.lmlab.training.TrainingProperties;
import org.springframework.stereotype.Component;

/** The models root (base models in, checkpoints out) and the artifacts root (datasets). */
@Component
public class TrainingRoots {

    private final DataRoot models;
    private final DataRoot artifacts;

    public TrainingRoots(PlatformProperties platform, TrainingProperties training) {
        this.models = DataRoot.of("models root", training.modelsRoot(), platform.home(), "models");
        this.artifacts = DataRoot.of("artifacts root", training.artifactsRoot(), platform.home(), "artifacts");
    }

    public DataRoot models() {
        return models;
    }

    public DataRoot artifacts() {
        return artifacts;
    }
}

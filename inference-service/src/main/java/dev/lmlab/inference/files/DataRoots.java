package dev.lmlab.inference.files;

import dev.lmlab.inference.InferenceProperties;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.files.DataRoot;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * The folders user-given paths resolve in: checkpoints under the models root, SAEs, vectors and batch data under
 * the artifacts root (see {@link DataRoot} for what is refused).
 */
@Component
public class DataRoots {

    private final DataRoot models;
    private final DataRoot artifacts;

    public DataRoots(PlatformProperties platform, InferenceProperties inference) {
        this.models = DataRoot.of("models root", inference.modelsRoot(), platform.home(), "models");
        this.artifacts = DataRoot.of("artifacts root", inference.artifactsRoot(), platform.home(), "artifacts");
    }

    public Path models() {
        return models.folder();
    }

    public Path artifacts() {
        return artifacts.folder();
    }

    /** {@code relative} inside the models root, which must exist. */
    public Path model(String relative) {
        return models.existing(relative);
    }

    /** {@code relative} inside the artifacts root, which must exist. */
    public Path artifact(String relative) {
        return artifacts.existing(relative);
    }

    /** Where a new file may be written under the artifacts root (parents created; the file need not exist). */
    public Path newArtifact(String relative) {
        return artifacts.newPath(relative);
    }
}

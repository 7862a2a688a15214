package dev.lmlab.training.job;

import dev.lmlab.training.TrainingProperties;
import dev.lmlab.training.files.TrainingRoots;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Registers one job handler per training kind with the platform's job machinery. */
@Configuration
class TrainingJobs {

    private TrainingJob job(
            TrainingKind kind, BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return new TrainingJob(kind, b, r, t, p, j);
    }

    @Bean
    TrainingJob pretrainJob(BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return job(TrainingKind.PRETRAIN, b, r, t, p, j);
    }

    @Bean
    TrainingJob sftJob(BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return job(TrainingKind.SFT, b, r, t, p, j);
    }

    @Bean
    TrainingJob nelboSftJob(BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return job(TrainingKind.NELBO_SFT, b, r, t, p, j);
    }

    @Bean
    TrainingJob trajectoryNelboJob(BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return job(TrainingKind.TRAJECTORY_NELBO, b, r, t, p, j);
    }

    @Bean
    TrainingJob tabomJob(BaseModels b, TrainingRoots r, Trainer t, TrainingProperties p, JsonMapper j) {
        return job(TrainingKind.TABOM, b, r, t, p, j);
    }
}

package dev.lmlab.training.job;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers one job handler per training kind with the platform's job machinery. */
@Configuration
class TrainingJobs {

    @Bean
    TrainingJob pretrainJob(BaseModels bases, Datasets datasets, Trainer trainer) {
        return new TrainingJob(TrainingKind.PRETRAIN, bases, datasets, trainer);
    }

    @Bean
    TrainingJob sftJob(BaseModels bases, Datasets datasets, Trainer trainer) {
        return new TrainingJob(TrainingKind.SFT, bases, datasets, trainer);
    }

    @Bean
    TrainingJob nelboSftJob(BaseModels bases, Datasets datasets, Trainer trainer) {
        return new TrainingJob(TrainingKind.NELBO_SFT, bases, datasets, trainer);
    }

    @Bean
    TrainingJob trajectoryNelboJob(BaseModels bases, Datasets datasets, Trainer trainer) {
        return new TrainingJob(TrainingKind.TRAJECTORY_NELBO, bases, datasets, trainer);
    }

    @Bean
    TrainingJob tabomJob(BaseModels bases, Datasets datasets, Trainer trainer) {
        return new TrainingJob(TrainingKind.TABOM, bases, datasets, trainer);
    }
}

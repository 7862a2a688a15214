package dev.lmlab.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A checkpoint that would not fit on the disk fails the run with the reason before anything is written: no
 * half-written folder is left where a resumed job or the inference service could take it for a checkpoint. (The
 * reserve is set beyond any real disk to stand in for a full one; lm-core's CheckpointWriterTest covers a write
 * that fails part-way.)
 */
@TestPropertySource(properties = "lmlab.training.checkpoint-reserve=1000000TB")
class CheckpointDiskFullTest extends TrainingApiSupport {

    @Test
    void aCheckpointThatDoesNotFitFailsTheRunAndLeavesNothingHalfWritten() throws Exception {
        String data = dataset("disk-full.jsonl", TrainingJobsTest.facts());

        UUID id = UUID.fromString(ok(submit(
                        "pretrain",
                        "{\"architecture\":" + TrainingJobsTest.TINY_LLAMA + ",\"dataset\":\"" + data
                                + "\",\"max_steps\":10,\"checkpoint_every\":5}"))
                .get("id")
                .asString());
        Run run = finished(id, Duration.ofSeconds(60));

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("disk is full").contains("step-5");
        assertThat(registry.artifacts(id)).isEmpty();
        assertThat(curve(id, "loss")).hasSize(5);
        try (Stream<Path> left = Files.list(HOME.resolve("models/runs/" + id))) {
            assertThat(left.map(p -> p.getFileName().toString()).toList())
                    .as("only the initial weights")
                    .containsExactlyElementsOf(List.of("init"));
        }
    }
}

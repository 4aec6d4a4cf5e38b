package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * data.source on real MPJ ranks: broadcast (rank 0 reads, the others receive) trains exactly as local (every rank
 * reads), for class labels and for value targets; a file rank 0 cannot read stops every rank with exit 2.
 */
class DataSourceTest {
  @TempDir Path dir;

  @Test
  void broadcastFashionMnistGivesTheSameWeightsAsLocal() throws IOException {
    Path config = TrainingRuns.writeSmallConfig(dir);
    TrainingRuns.Result local = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6",
        "run.max_steps=20", "data.source=local", "run.name=local");
    TrainingRuns.Result broadcast = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6",
        "run.max_steps=20", "data.source=broadcast", "run.name=broadcast");
    assertThat(local.exitCode()).as(local.output()).isZero();
    assertThat(broadcast.exitCode()).as(broadcast.output()).isZero();
    TrainingRuns.assertSameWeights(local.runDir().resolve("model.safetensors"),
        broadcast.runDir().resolve("model.safetensors"), 0, "local vs broadcast");
    // Evaluation ran on each rank's share of the received test split: the same figures as from the files.
    assertThat(broadcast.summary().get("test_accuracy").asDouble())
        .isEqualTo(local.summary().get("test_accuracy").asDouble());
  }

  @Test
  void broadcastValueTargetsGiveTheSameWeightsAsLocal() throws IOException {
    Path config = dir.resolve("regression.yaml");
    Files.writeString(config, TrainingRuns.syntheticConfig(dir, "regression", 3, "{type: mse}"));
    TrainingRuns.Result local = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6",
        "data.source=local", "run.name=local");
    TrainingRuns.Result broadcast = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6",
        "data.source=broadcast", "run.name=broadcast");
    assertThat(local.exitCode()).as(local.output()).isZero();
    assertThat(broadcast.exitCode()).as(broadcast.output()).isZero();
    TrainingRuns.assertSameWeights(local.runDir().resolve("model.safetensors"),
        broadcast.runDir().resolve("model.safetensors"), 0, "local vs broadcast");
  }

  @Test
  void aFileRankZeroCannotReadStopsEveryRankWithExit2() throws IOException {
    Path config = TrainingRuns.writeSmallConfig(dir);
    Path missing = dir.resolve("absent-images.gz");
    long started = System.nanoTime();
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "data.source=broadcast",
        "data.dir=" + dir, "data.train_images=absent-images.gz", "comm.timeout_s=30");
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains(missing.toString()).doesNotContain("rank 0 could not set up the run");
    assertThat(seconds).as("ranks 1.. must not wait for the deadline").isLessThan(20);
  }
}

package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dev hybdev} on this machine: one JVM (MPJ's HybridStarter), every rank a thread of it, talking through
 * MPJ's hybrid device. Synchronous training there is the same computation as anywhere: 3 ranks with batch 4 give the
 * weights of 1 rank with batch 12, and the replicas stay bit-identical. The cluster form (two hosts through MPJ
 * daemons) is in {@link ClusterNamespacesTest}.
 */
class HybdevTrainingTest {
  @TempDir Path dir;

  @Test
  void threeRankThreadsOfOneHybdevJvmMatchOneRankWithTheirGlobalBatch() throws IOException {
    Path config = Files.writeString(dir.resolve("c.yaml"), TrainingRuns.syntheticConfig(dir, "classification", 3,
        "{type: cross_entropy}"));

    TrainingRuns.Result one = TrainingRuns.train(config, 1, "multicore", "data.batch_size=12", "run.max_steps=12",
        "run.name=one");
    TrainingRuns.Result hyb = TrainingRuns.train(config, 3, "hybdev", "data.batch_size=4", "run.max_steps=12",
        "run.name=hyb", "comm.bucket_mb=0.001");

    assertThat(one.exitCode()).as(one.output()).isZero();
    assertThat(hyb.exitCode()).as(hyb.output()).isZero();
    assertThat(hyb.summary().get("replicas_identical").asBoolean()).isTrue();
    assertThat(hyb.summary().get("per_rank")).hasSize(3);
    TrainingRuns.assertSameWeights(one.runDir().resolve("model.safetensors"),
        hyb.runDir().resolve("model.safetensors"), 1e-5, "1 rank vs 3 hybdev rank threads on one host");
  }
}

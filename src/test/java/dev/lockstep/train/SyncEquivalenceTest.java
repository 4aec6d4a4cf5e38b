package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The key invariant of synchronous training, on real MPJ multicore ranks: N ranks with per-rank batch B produce
 * the same weights as 1 rank with batch N·B over the same samples (float tolerance), and all replicas are
 * bit-identical. Global batch 12 = 1×12 = 2×6 = 3×4, so one single-rank run serves both comparisons. Holds with
 * and without overlapping the allreduce with backward: {@code comm.bucket_mb} 0 (one allreduce after backward),
 * 4 (the default: this small model's gradient is one bucket) and 0.001 (1 KB: one bucket per linear layer).
 */
class SyncEquivalenceTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  @ParameterizedTest(name = "np={0}, {1} step(s), bucket_mb {2}")
  @CsvSource({"2, 1, 4", "3, 1, 0", "2, 12, 0", "3, 12, 4", "2, 12, 0.001", "3, 12, 0.001"})
  void nRanksWithBatchBMatchOneRankWithBatchNB(int np, int steps, String bucketMb) throws IOException {
    TrainingRuns.Result single = TrainingRuns.train(config, 1, "multicore",
        "data.batch_size=12", "run.max_steps=" + steps, "run.name=single-" + np + "-" + steps + "-" + bucketMb);
    TrainingRuns.Result multi = TrainingRuns.train(config, np, "multicore",
        "data.batch_size=" + (12 / np), "run.max_steps=" + steps, "comm.bucket_mb=" + bucketMb,
        "run.name=multi-" + np + "-" + steps + "-" + bucketMb);
    assertThat(single.exitCode()).as(single.output()).isZero();
    assertThat(multi.exitCode()).as(multi.output()).isZero();

    TrainingRuns.assertSameWeights(single.runDir().resolve("model.safetensors"),
        multi.runDir().resolve("model.safetensors"), 1e-5, "after " + steps + " step(s): 1 rank vs " + np + " ranks");
    // The step figures agree too: same global batch, same loss.
    assertThat(multi.summary().get("final_train_loss").asDouble())
        .isCloseTo(single.summary().get("final_train_loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void replicasAreBitIdenticalAfterTraining() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 3, "multicore", "data.batch_size=4", "run.name=replicas",
        "run.max_steps=30", "comm.bucket_mb=0.001");
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode summary = run.summary();
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue();
    JsonNode perRank = summary.get("per_rank");
    assertThat(perRank).hasSize(3);
    for (JsonNode r : perRank) {
      assertThat(r.get("weights_checksum").asText()).isEqualTo(perRank.get(0).get("weights_checksum").asText());
    }
  }
}

package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Synchronous training stays exact for every objective and both regularisers (real MPJ multicore ranks,
 * synthetic data): 3 ranks × batch 4 give the weights and the reported loss of 1 rank × batch 12 after 5
 * steps. With l2/l1 this also proves the penalty enters the global sum once, not once per rank: N copies
 * would change both the weights and the loss. The 3-rank run's test figures are also checked against a
 * single-rank evaluation of its final weights.
 */
class ObjectiveSyncEquivalenceTest {
  @TempDir static Path dir;

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      classification | '{type: cross_entropy, label_smoothing: 0.1, weights: [1, 2, 0.5], l2: 0.01}' | 3
      multilabel     | '{type: binary_cross_entropy, l1: 0.01}'                                       | 4
      regression     | '{type: mse, l2: 0.05, l1: 0.01}'                                              | 2
      regression     | '{type: mae}'                                                                  | 2
      regression     | '{type: huber, delta: 0.5}'                                                    | 2
      classification | '{type: hinge, multiclass: one_vs_rest, squared: true, l1: 0.02, top_k: 2}'     | 3
      distribution   | '{type: kl_divergence, l2: 0.01}'                                              | 3
      """)
  void threeRanksWithBatch4MatchOneRankWithBatch12(String task, String objective, int outputs) throws IOException {
    String name = objective.replaceAll("[^a-z0-9]+", "-");
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, TrainingRuns.syntheticConfig(dir, task, outputs, objective));
    TrainingRuns.Result single = TrainingRuns.train(config, 1, "multicore", "data.batch_size=12",
        "run.max_steps=5", "run.name=one" + name);
    TrainingRuns.Result multi = TrainingRuns.train(config, 3, "multicore", "data.batch_size=4",
        "run.max_steps=5", "run.name=three" + name);
    assertThat(single.exitCode()).as(single.output()).isZero();
    assertThat(multi.exitCode()).as(multi.output()).isZero();
    TrainingRuns.assertSameWeights(single.runDir().resolve("model.safetensors"),
        multi.runDir().resolve("model.safetensors"), 1e-5, objective);
    JsonNode a = single.summary(), b = multi.summary();
    assertThat(b.get("final_train_loss").asDouble()).as(objective)
        .isCloseTo(a.get("final_train_loss").asDouble(), Offset.offset(1e-5 * Math.abs(a.get("final_train_loss")
            .asDouble()) + 1e-6));
    assertThat(b.get("replicas_identical").asBoolean()).isTrue();

    // The 3 ranks' evaluation (each a shard of the 301 test samples, counts reduced) is the single-rank figure.
    SingleRankEvaluation.assertMatches(config, multi.runDir(), b, "run.max_steps=5");
  }
}

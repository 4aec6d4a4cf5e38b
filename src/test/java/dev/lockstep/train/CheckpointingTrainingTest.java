package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient checkpointing inside real synchronous training (2 MPJ multicore ranks): the same run with
 * {@code segments: 2} ends with bit-identical weights to {@code segments: 0}, with less activation memory, and
 * says so in its first line and in summary.json.
 */
class CheckpointingTrainingTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  @Test
  void twoSegmentsOnTwoRanksGiveTheWeightsOfKeepingEverything() throws IOException {
    TrainingRuns.Result plain = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6", "run.max_steps=15",
        "run.name=plain", "checkpointing.segments=0");
    TrainingRuns.Result ckpt = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6", "run.max_steps=15",
        "run.name=ckpt", "checkpointing.segments=2");
    assertThat(plain.exitCode()).as(plain.output()).isZero();
    assertThat(ckpt.exitCode()).as(ckpt.output()).isZero();

    Map<String, float[]> a = TrainingRuns.readSafetensors(plain.runDir().resolve("model.safetensors"));
    Map<String, float[]> b = TrainingRuns.readSafetensors(ckpt.runDir().resolve("model.safetensors"));
    assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
    for (String name : a.keySet()) {
      float[] x = a.get(name), y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        assertThat(Float.floatToRawIntBits(y[i])).as("%s[%d]: %s vs %s", name, i, x[i], y[i])
            .isEqualTo(Float.floatToRawIntBits(x[i]));
      }
    }

    JsonNode p = plain.summary(), c = ckpt.summary();
    assertThat(c.get("replicas_identical").asBoolean()).isTrue();
    assertThat(c.get("per_rank").get(0).get("weights_checksum").asText())
        .isEqualTo(p.get("per_rank").get(0).get("weights_checksum").asText());
    // smallConfig: outputs 24 24 16 16 10, scratch 2 × 24, batch 6 per rank
    assertThat(p.get("activation_peak_bytes").asLong()).isEqualTo(6L * 4 * (90 + 48));
    assertThat(p.get("checkpointing").get("segments").asInt()).isZero();
    assertThat(c.get("checkpointing").get("segments").asInt()).isEqualTo(2);
    assertThat(c.get("checkpointing").get("layers")).hasSize(2);
    assertThat(c.get("activation_peak_bytes").asLong()).isLessThan(p.get("activation_peak_bytes").asLong());
    assertThat(c.get("checkpointing").get("keep_all_activation_bytes").asLong())
        .isEqualTo(p.get("activation_peak_bytes").asLong());
    String first = ckpt.output().lines().filter(l -> l.contains(" rank(s) × batch ")).findFirst().orElseThrow();
    assertThat(first).contains("activations ", "/rank, checkpointing 2 segments [");
  }
}

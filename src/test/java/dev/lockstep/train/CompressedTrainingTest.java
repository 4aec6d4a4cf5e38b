package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * comm.compression in real training runs (MPJ multicore): the ring, which sends 16-bit values, and shared memory,
 * which rounds around its float32 sum, train to the same bits (the definition in Compression); replicas stay
 * identical; the result stays close to uncompressed training; a NaN after decompression goes to on_nonfinite.
 */
class CompressedTrainingTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  @ParameterizedTest(name = "{0}, np={1}, bucket_mb {2}")
  @CsvSource({"bf16, 3, 4", "fp16, 3, 0.001"})
  void ringTransfersAndSharedMemoryRoundingTrainToTheSameBits(String format, int np, String bucketMb)
      throws IOException {
    String name = format + "-" + np + "-" + bucketMb;
    String[] common = {"data.batch_size=4", "run.max_steps=12", "comm.bucket_mb=" + bucketMb,
        "comm.compression=" + format};
    TrainingRuns.Result ring = TrainingRuns.train(config, np, "multicore",
        concat(common, "comm.algorithm=ring", "run.name=ring-" + name));
    TrainingRuns.Result shm = TrainingRuns.train(config, np, "multicore",
        concat(common, "comm.algorithm=shm", "run.name=shm-" + name));
    TrainingRuns.Result plain = TrainingRuns.train(config, np, "multicore", "data.batch_size=4", "run.max_steps=12",
        "comm.bucket_mb=" + bucketMb, "run.name=plain-" + name);
    assertThat(ring.exitCode()).as(ring.output()).isZero();
    assertThat(shm.exitCode()).as(shm.output()).isZero();
    assertThat(plain.exitCode()).as(plain.output()).isZero();

    assertThat(Files.readAllBytes(ring.runDir().resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(shm.runDir().resolve("model.safetensors")));
    assertThat(ring.summary().get("replicas_identical").asBoolean()).isTrue();
    assertThat(ring.summary().get("compression").asText()).isEqualTo(format);
    // 12 steps (lr 0.1, momentum 0.9) of gradients rounded to 8 (bf16) or 11 (fp16) significant bits stay close to
    // float32 training; small batches amplify the differences step by step, bf16's 2^-9 most
    TrainingRuns.assertSameWeights(plain.runDir().resolve("model.safetensors"),
        ring.runDir().resolve("model.safetensors"), format.equals("bf16") ? 0.1 : 5e-3, format + " vs float32");
    assertThat(ring.summary().get("final_train_loss").asDouble()).isCloseTo(
        plain.summary().get("final_train_loss").asDouble(), org.assertj.core.data.Percentage.withPercentage(2));
    assertThat(Files.readAllBytes(plain.runDir().resolve("model.safetensors")))
        .isNotEqualTo(Files.readAllBytes(ring.runDir().resolve("model.safetensors"))); // it did round
  }

  @Test
  void aNanInOneRanksGradientSurvivesFp16AndIsSkippedByOnNonfinite() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.max_steps=6", "run.name=nan-fp16",
        "comm.compression=fp16", "comm.algorithm=ring", "simulate.fail.rank=1", "simulate.fail.step=3",
        "simulate.fail.how=nan", "update.on_nonfinite=skip_step");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("step 3 (epoch 1): first non-finite gradient in parameter block layers.2 "
        + "linear(24→16) (element 200 of 400); skipped this update (update.on_nonfinite: skip_step)");
    assertThat(run.summary().get("replicas_identical").asBoolean()).isTrue();
  }

  @Test
  void compressionWithAsyncUpdatesIsAConfigError() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "comm.compression=bf16",
        "update.mode=async");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("comm.compression").contains("async sends gradients or weights uncompressed");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

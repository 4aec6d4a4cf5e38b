package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole training runs through the launcher as a user starts them, checking what they print and leave behind. */
class TrainEndToEndTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  @Test
  void niodevRanksTrainAndLeaveTheRunDirectory() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "niodev", "run.max_steps=8", "run.name=nio");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).containsPattern("step 8/8 \\| epoch 1/1 \\| loss \\d+\\.\\d{4} \\| \\d+ samples/s \\| "
        + "comm \\d+% \\| wait \\d+%");
    assertThat(run.output()).containsPattern("epoch 1/1 \\| test accuracy 0\\.\\d{4} \\| test loss \\d+\\.\\d{4} "
        + "\\(300 samples\\)");

    Path runDir = run.runDir();
    assertThat(runDir.resolve("config.yaml")).exists();
    List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(9); // 8 logged steps + 1 evaluation
    for (String line : lines) {
      JsonNode record = TrainingRuns.JSON.readTree(line);
      assertThat(record.get("kind").asText()).isIn("step", "eval");
    }
    JsonNode summary = run.summary();
    assertThat(summary.get("steps").asLong()).isEqualTo(8);
    assertThat(summary.get("samples").asLong()).isEqualTo(8 * 24);
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue();
    assertThat(summary.get("test_samples").asLong()).isEqualTo(300);
    assertThat(summary.get("per_rank")).hasSize(2);
    assertThat(TrainingRuns.readSafetensors(runDir.resolve("model.safetensors")))
        .containsOnlyKeys("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
            "layers.4.weight", "layers.4.bias");
  }

  @Test
  void twoRanksLearnFashionMnist() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "data.limit_train=6000",
        "data.limit_test=1000", "data.batch_size=50", "run.epochs=2", "output.log_every=1000", "run.name=learn");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.summary().get("test_accuracy").asDouble()).as(run.output()).isGreaterThan(0.75);
  }

  @Test
  void aModelWhoseOutputDoesNotMatchTheClassesIsRefused() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "model.layers.4.units=7",
        "run.name=mismatch");
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("model.layers: the last layer has 7 outputs but").contains("has 10 classes");
  }

  @Test
  void theSafetensorsFileIsReadableWithoutOurCode() throws Exception {
    assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 is not installed");
    TrainingRuns.Result run = TrainingRuns.train(config, 1, "multicore", "run.max_steps=2", "run.name=export");
    assertThat(run.exitCode()).as(run.output()).isZero();
    Path file = run.runDir().resolve("model.safetensors");
    float[] bias = TrainingRuns.readSafetensors(file).get("layers.4.bias");
    // An independent reader: python3's json and struct modules only.
    String script = """
        import json, struct, sys
        b = open(sys.argv[1], 'rb').read()
        n = struct.unpack('<Q', b[:8])[0]
        h = json.loads(b[8:8 + n])
        t = h['layers.4.bias']; s, e = t['data_offsets']
        print(t['dtype'], t['shape'], ' '.join(repr(v) for v in struct.unpack('<%df' % ((e - s) // 4), b[8 + n + s:8 + n + e])))
        print(h['layers.0.weight']['shape'])
        """;
    Process p = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
    List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
    assertThat(p.waitFor()).as(String.join("\n", out)).isZero();
    String[] first = out.get(0).split(" ", 3);
    assertThat(first[0]).isEqualTo("F32");
    String[] values = out.get(0).substring(out.get(0).indexOf("] ") + 2).split(" ");
    assertThat(values).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(Float.parseFloat(values[i])).isEqualTo(bias[i]);
    }
    assertThat(out.get(1)).isEqualTo("[24, 784]");
  }

  @Test
  void demandingCudaWithoutAGpuExitsWith4() throws IOException {
    assumeTrue(dev.lockstep.tensor.CudaBackend.unavailableReason().isPresent(), "this machine has a usable GPU");
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "backend.device=cuda", "run.name=cuda");
    assertThat(run.exitCode()).as(run.output()).isEqualTo(4);
    assertThat(run.output()).contains("lockstep: backend.device is cuda but no GPU is usable: ");
  }

  /** backend.device auto falls back to the CPU here; comm.algorithm nccl then cannot run and says why (exit 2). */
  @Test
  void ncclOnTheCpuFallbackExitsWith2NamingTheKey() throws IOException {
    assumeTrue(dev.lockstep.tensor.CudaBackend.unavailableReason().isPresent(), "this machine has a usable GPU");
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "backend.device=auto", "comm.algorithm=nccl",
        "run.max_steps=2", "run.name=nccl");
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("lockstep: comm.algorithm: nccl needs backend.device cuda with a usable GPU; "
        + "this run uses the CPU backend");
  }

  @Test
  void autoFallsBackToTheCpuAndSaysSoOnce() throws IOException {
    assumeTrue(dev.lockstep.tensor.CudaBackend.unavailableReason().isPresent(), "this machine has a usable GPU");
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "backend.device=auto", "run.max_steps=2",
        "run.name=auto");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output().split("no usable GPU", -1)).hasSize(2);
    assertThat(run.output()).contains("using the CPU backend").contains("on cpu");
    // one short line: the loader's reason (hundreds of characters) only under LOCKSTEP_DEBUG=1 and in doctor
    assertThat(run.output().lines().filter(l -> l.contains("no usable GPU"))).singleElement().asString()
        .hasSizeLessThan(100).doesNotContain("UnsatisfiedLinkError", "libcuda", "cannot load");
  }
}

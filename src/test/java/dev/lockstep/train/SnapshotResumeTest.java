package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.state.SnapshotReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real jobs that snapshot, die, and resume: bit-identical continuation, refusals, non-finite steps, disk trouble. */
class SnapshotResumeTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  private static TrainingRuns.Result resume(Path from, int np, String... sets) throws IOException {
    return TrainingRuns.train(config, np, "multicore", List.of("--resume", from.toString()),
        new ByteArrayOutputStream(), sets);
  }

  /** The metrics records of one kind after the last "resume" record (all of them when there is none). */
  private static List<JsonNode> records(Path runDir, String kind) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      JsonNode r = TrainingRuns.JSON.readTree(line);
      if (r.get("kind").asText().equals("resume")) {
        out.clear();
      } else if (r.get("kind").asText().equals(kind)) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void anInterruptedRunResumedWithTheSameRanksEndsBitIdentical() throws IOException {
    String[] common = {"run.max_steps=14", "output.save_every_steps=4", "optimizer.type=adam", "optimizer.lr=0.01",
        "optimizer.schedule.type=cosine", "optimizer.schedule.warmup_steps=3"};
    TrainingRuns.Result whole = TrainingRuns.train(config, 2, "multicore", concat(common, "run.name=whole"));
    assertThat(whole.exitCode()).as(whole.output()).isZero();

    TrainingRuns.Result broken = TrainingRuns.train(config, 2, "multicore", concat(common, "run.name=broken",
        "simulate.fail.rank=1", "simulate.fail.step=7", "simulate.fail.how=exit"));
    assertThat(broken.exitCode()).as(broken.output()).isEqualTo(3);
    Path runDir = broken.runDir();
    assertThat(runDir.resolve("checkpoints/step-000004/manifest.json")).exists();
    assertThat(runDir.resolve("model.safetensors")).doesNotExist();

    // The run directory's newest snapshot is step 4; the config differs only in keys allowed to change.
    TrainingRuns.Result resumed = resume(runDir, 2, concat(common, "run.name=other", "simulate.fail.how=none"));
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(resumed.output()).contains("resume: from " + runDir.resolve("checkpoints/step-000004")
        + " at step 4 (epoch 1, step 4 of the epoch)");
    assertThat(resumed.runDir()).isEqualTo(runDir);
    assertThat(Files.readAllBytes(runDir.resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(whole.runDir().resolve("model.safetensors")));

    List<JsonNode> expected = records(whole.runDir(), "step").stream().filter(r -> r.get("step").asLong() > 4)
        .toList();
    List<JsonNode> actual = records(runDir, "step");
    assertThat(actual).hasSameSizeAs(expected).hasSize(10);
    for (int i = 0; i < expected.size(); i++) {
      for (String field : List.of("step", "epoch", "loss", "accuracy", "lr")) {
        assertThat(actual.get(i).get(field)).as("%s of %s", field, actual.get(i)).isEqualTo(expected.get(i).get(field));
      }
    }
    assertThat(records(runDir, "eval").get(0).get("test_loss"))
        .isEqualTo(records(whole.runDir(), "eval").get(0).get("test_loss"));
    assertThat(runDir.resolve("checkpoints/step-000012")).exists();

    // Another number of ranks is allowed in sync mode, and the run says what changes.
    TrainingRuns.Result wider = resume(runDir.resolve("checkpoints/step-000008"), 3,
        concat(common, "run.name=broken"));
    assertThat(wider.exitCode()).as(wider.output()).isZero();
    assertThat(wider.output()).contains("resume: 3 ranks instead of the snapshot's 2: the global batch is 36 "
        + "(was 24)").contains("epoch 1 continues at sample 216 of its order (snapshot: sample 192)");
  }

  @Test
  void snapshotsThatAreCorruptedOrMadeForAnotherRunAreRefusedAndNothingIsWritten() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 1, "multicore", "run.max_steps=4",
        "output.save_every_steps=2", "output.keep_last=1", "run.name=refuse");
    assertThat(run.exitCode()).as(run.output()).isZero();
    Path checkpoints = run.runDir().resolve("checkpoints");
    try (Stream<Path> kept = Files.list(checkpoints)) {
      assertThat(kept.map(p -> p.getFileName().toString())).containsExactly("step-000004"); // keep_last: 1
    }
    byte[] metrics = Files.readAllBytes(run.runDir().resolve("metrics.jsonl"));

    TrainingRuns.Result other = resume(run.runDir(), 1, "run.max_steps=4", "optimizer.lr=0.2",
        "model.layers.2.units=15");
    assertThat(other.exitCode()).as(other.output()).isEqualTo(2);
    assertThat(other.output()).contains("was made with a different config").contains(
        "model.layers.2.units: 16 in the snapshot, 15 now; optimizer.lr: 0.1 in the snapshot, 0.2 now");

    Path weights = checkpoints.resolve("step-000004/weights.f32");
    byte[] good = Files.readAllBytes(weights);
    byte[] bad = good.clone();
    bad[100] ^= 1;
    Files.write(weights, bad);
    TrainingRuns.Result corrupted = resume(run.runDir(), 1, "run.max_steps=6");
    assertThat(corrupted.exitCode()).as(corrupted.output()).isEqualTo(2);
    assertThat(corrupted.output()).contains(weights + ": SHA-256 differs from the manifest's (the file is corrupted)");

    assertThat(Files.readAllBytes(run.runDir().resolve("metrics.jsonl"))).isEqualTo(metrics);
    assertThat(Files.readAllBytes(weights)).isEqualTo(bad); // refusals touch nothing
  }

  @Test
  void aNanGradientStopsTheRunNamingStepAndBlock() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.max_steps=6", "run.name=nanstop",
        "simulate.fail.rank=1", "simulate.fail.step=3", "simulate.fail.how=nan");
    assertThat(run.exitCode()).as(run.output()).isEqualTo(3);
    assertThat(run.output()).contains("lockstep: non-finite values at step 3 (epoch 1): first non-finite gradient "
        + "in parameter block layers.2 linear(24→16) (element 200 of 400); stopped before applying it, the weights "
        + "are those after step 2");
  }

  @Test
  void skipStepSkipsOnlyThePoisonedUpdateOnEveryRank() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.max_steps=6", "run.name=nanskip",
        "simulate.fail.rank=1", "simulate.fail.step=3", "simulate.fail.how=nan", "update.on_nonfinite=skip_step");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("step 3 (epoch 1): first non-finite gradient in parameter block layers.2 "
        + "linear(24→16) (element 200 of 400); skipped this update (update.on_nonfinite: skip_step)");
    JsonNode summary = run.summary();
    assertThat(summary.get("steps").asLong()).isEqualTo(6);
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue(); // check_every: 1 compared them every step
    assertThat(records(run.runDir(), "skip")).hasSize(1);
    for (float[] tensor : TrainingRuns.readSafetensors(run.runDir().resolve("model.safetensors")).values()) {
      for (float v : tensor) {
        assertThat(Float.isFinite(v)).isTrue();
      }
    }
  }

  @Test
  void anOutDirThatCannotBeCreatedIsRefusedBeforeTraining() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.out_dir=" + file.resolve("runs"));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("lockstep: run.out_dir: cannot create run directory under " + file.resolve("runs"))
        .doesNotContain("step 1/");
  }

  @Test
  void aFullDiskIsRefusedUpFrontOrFailsTheWriteKeepingThePreviousSnapshot() throws Exception {
    try (TinyFilesystem small = TinyFilesystem.mount(dir.resolve("small"), "200k");
         TinyFilesystem enough = TinyFilesystem.mount(dir.resolve("enough"), "300k")) {
      assumeTrue(small != null && enough != null, "cannot mount a tmpfs here (needs root)");
      TrainingRuns.Result early = TrainingRuns.train(config, 1, "multicore", "run.out_dir=" + small.path(),
          "output.save_every_steps=2");
      assertThat(early.exitCode()).as(early.output()).isEqualTo(2);
      assertThat(early.output()).containsPattern("run.out_dir: .* has \\d+ KiB free, the run needs about \\d+ KiB");

      TrainingRuns.Result late = TrainingRuns.train(config, 1, "multicore", "run.out_dir=" + enough.path(),
          "output.save_every_steps=2", "run.max_steps=6", "output.log_every=100");
      assertThat(late.exitCode()).as(late.output()).isEqualTo(3);
      assertThat(late.output()).contains("snapshot: " + late.runDir().resolve("checkpoints/step-000002"))
          .contains("cannot write snapshot " + late.runDir().resolve("checkpoints/step-000004"))
          .contains("No space left on device").contains("earlier snapshots are unchanged");
      try (Stream<Path> left = Files.list(late.runDir().resolve("checkpoints"))) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("step-000002");
      }
      assertThat(SnapshotReader.read(late.runDir().resolve("checkpoints/step-000002")).position().step()).isEqualTo(2);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

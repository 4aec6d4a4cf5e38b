package dev.lockstep.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.ConfigWriter;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.CpuBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot files without ranks: round trip, refusals with their messages, pruning, config fingerprints. */
class SnapshotFilesTest {
  @TempDir Path dir;
  private final CpuBackend backend = CpuBackend.create(1);
  private final String yaml = ConfigWriter.toYaml(ConfigLoader.fromYaml(
      "model: {layers: [{type: linear, units: 7}, {type: relu}, {type: linear, units: 3}]}\n"
          + "optimizer: {type: adam, lr: 0.01}\n", "t", List.of()));
  private final LockstepConfig cfg = ConfigLoader.fromYaml(yaml, "effective", List.of());

  @AfterEach
  void close() {
    backend.close();
  }

  /** A model of odd shape with random weights and a random Adam state (m, v) after 5 steps. */
  private Snapshot randomSnapshot(long step, long seed) {
    Model model = Model.build(cfg.model(), 5);
    Parameters params = new Parameters(model, backend);
    params.initialize(seed);
    Optimizer adam = Optimizers.create(cfg.optimizer(), backend, params.length());
    SplittableRandom rnd = new SplittableRandom(seed);
    for (var buf : adam.stateBuffers()) {
      float[] v = new float[params.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rnd.nextGaussian();
      }
      backend.upload(v, 0, buf);
    }
    adam.setStepCount(step);
    return Snapshot.capture(new TrainingPosition(step, 1, 3, 2, 4), params, adam, backend, "cosine", 100, 0.005,
        yaml);
  }

  @Test
  void aWrittenSnapshotReadsBackExactly() {
    Snapshot s = randomSnapshot(12, 99);
    Path written = SnapshotWriter.write(dir.resolve("run/checkpoints"), s);

    assertThat(written).isEqualTo(dir.resolve("run/checkpoints/step-000012"));
    assertThat(SnapshotReader.locate(dir.resolve("run"))).isEqualTo(written);
    assertThat(SnapshotReader.runDirectoryOf(written)).isEqualTo(dir.resolve("run").toAbsolutePath());
    Snapshot r = SnapshotReader.read(written);
    assertThat(r.weights()).isEqualTo(s.weights());
    assertThat(r.optimizerState()).hasSize(2);
    assertThat(r.optimizerState().get(0)).isEqualTo(s.optimizerState().get(0));
    assertThat(r.optimizerState().get(1)).isEqualTo(s.optimizerState().get(1));
    assertThat(r.position()).isEqualTo(new TrainingPosition(12, 1, 3, 2, 4));
    assertThat(r.position().samplesIntoEpoch()).isEqualTo(24);
    assertThat(r.optimizerSteps()).isEqualTo(12);
    assertThat(r.optimizerType()).isEqualTo("adam");
    assertThat(r.layers()).isEqualTo(s.layers());
    assertThat(r.totalSteps()).isEqualTo(100);
    assertThat(r.nextLr()).isEqualTo(0.005);
    assertThat(r.configYaml()).isEqualTo(yaml);
    assertThat(r.configHash()).startsWith("sha256:").isEqualTo(s.configHash());
  }

  @Test
  void truncatedAlteredOrHalfWrittenSnapshotsAreRefusedSayingWhy() throws IOException {
    Path snap = SnapshotWriter.write(dir, randomSnapshot(3, 1));
    Path state = snap.resolve("optimizer-1.f32");
    byte[] good = Files.readAllBytes(state);
    Files.write(state, java.util.Arrays.copyOf(good, good.length - 4));
    assertThatThrownBy(() -> SnapshotReader.read(snap)).isInstanceOf(SnapshotException.class)
        .hasMessage(state + ": " + (good.length - 4) + " bytes, the manifest says " + good.length
            + " (truncated or replaced)");
    Files.write(state, good);

    Path manifest = snap.resolve("manifest.json");
    String text = Files.readString(manifest);
    Files.writeString(manifest, text.replace("\"step\" : 3", "\"step\" : 4"));
    assertThatThrownBy(() -> SnapshotReader.read(snap))
        .hasMessage(manifest + ": SHA-256 differs from manifest.sha256 (the manifest is corrupted)");
    Files.writeString(manifest, text);
    assertThat(SnapshotReader.read(snap).position().step()).isEqualTo(3);

    Files.delete(manifest);
    assertThatThrownBy(() -> SnapshotReader.read(snap))
        .hasMessage(snap + ": no manifest.json (not a snapshot, or one whose write never finished)");
    assertThatThrownBy(() -> SnapshotReader.locate(dir.resolve("nowhere")))
        .hasMessage("--resume: no such directory: " + dir.resolve("nowhere"));
  }

  @Test
  void keepLastPrunesTheOldestAndASecondWriteOfAStepReplacesIt() throws IOException {
    Path checkpoints = dir.resolve("checkpoints");
    for (long step : new long[] {10, 2, 30, 4}) {
      SnapshotWriter.write(checkpoints, randomSnapshot(step, step));
    }
    Files.createDirectory(checkpoints.resolve(".step-000050.tmp")); // a write that died: never listed
    SnapshotWriter.prune(checkpoints, 2);
    try (Stream<Path> left = Files.list(checkpoints)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("step-000010", "step-000030",
          ".step-000050.tmp");
    }
    assertThat(SnapshotReader.locate(dir)).isEqualTo(checkpoints.resolve("step-000030"));

    Snapshot again = randomSnapshot(30, 777);
    SnapshotWriter.write(checkpoints, again);
    assertThat(SnapshotReader.read(checkpoints.resolve("step-000030")).weights()).isEqualTo(again.weights());
    try (Stream<Path> left = Files.list(checkpoints)) {
      assertThat(left.map(p -> p.getFileName().toString())).doesNotContain(".step-000030.old", ".step-000030.tmp");
    }
  }

  @Test
  void theFingerprintIgnoresKeysThatMayChangeAndNamesTheOthers() {
    String longer = ConfigWriter.toYaml(ConfigLoader.fromYaml(yaml, "t", List.of("run.epochs=5", "run.max_steps=9",
        "output.save_every_steps=3", "comm.timeout_s=7", "simulate.fail.how=hang", "simulate.fail.step=2",
        "backend.threads=2", "run.name=other", "update.on_nonfinite=skip_step")));
    assertThat(ConfigFingerprint.hash(longer)).isEqualTo(ConfigFingerprint.hash(yaml));
    assertThat(ConfigFingerprint.differences(yaml, longer)).isEmpty();

    String other = ConfigWriter.toYaml(ConfigLoader.fromYaml(yaml, "t", List.of("optimizer.lr=0.02",
        "model.layers.0.units=8", "data.batch_size=16", "run.seed=1")));
    assertThat(ConfigFingerprint.hash(other)).isNotEqualTo(ConfigFingerprint.hash(yaml));
    assertThat(ConfigFingerprint.differences(yaml, other)).containsExactly(
        "data.batch_size: 128 in the snapshot, 16 now",
        "model.layers.0.units: 7 in the snapshot, 8 now",
        "optimizer.lr: 0.01 in the snapshot, 0.02 now",
        "run.seed: 42 in the snapshot, 1 now");
  }
}

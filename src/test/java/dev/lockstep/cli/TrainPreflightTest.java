package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.train.RunPreflight;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} refuses what would fail in every rank before starting one: one line naming the key (file:line or the
 * --set), exit 2 (4 for a demanded GPU), quickly, and nothing written. A started rank would announce itself on the
 * job's output ("rank N ended with exit code 2", the run header) and take seconds to start.
 */
class TrainPreflightTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private record Outcome(int code, double seconds, List<String> errLines) {}

  private Outcome train(String... args) {
    long t0 = System.nanoTime();
    String[] all = new String[args.length + 1];
    all[0] = "train";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = LockstepCommand.execute(all, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, (System.nanoTime() - t0) / 1e9, err.toString().lines().toList());
  }

  /** A synthetic-data config (no dataset needed) writing under {@code dir/out}. */
  private Path syntheticConfig(String extraData) throws IOException {
    return Files.writeString(dir.resolve("synthetic.yaml"), """
        run: {name: r, out_dir: "%s"}
        model:
          layers: [{type: linear, units: 2}]
        data:
          format: synthetic
          batch_size: 32
          synthetic: {task: classification, train_samples: 2048, test_samples: 100, features: 4, outputs: 2}
        %s
        """.formatted(dir.resolve("out"), extraData));
  }

  private void assertNothingStarted(Outcome o, int code) {
    assertThat(o.code()).as(err.toString()).isEqualTo(code);
    assertThat(o.errLines()).as("one line").hasSize(1);
    assertThat(o.seconds()).as("refused before any rank JVM starts").isLessThan(3);
    assertThat(err.toString() + out).doesNotContain("ended with exit code").doesNotContain("rank(s) × batch");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void aMissingCsvFileIsOneLineNamingTheKeyAndLine() throws IOException {
    Path cfg = Files.writeString(dir.resolve("wine.yaml"), """
        run: {name: wine, out_dir: "%s"}
        model:
          layers: [{type: linear, units: 3}]
        data:
          format: csv
          csv:
            train_file: %s
            target: cultivar
        """.formatted(dir.resolve("out"), dir.resolve("data/wine.csv")));
    Outcome o = train("-c", cfg.toString());
    assertNothingStarted(o, ExitCodes.USAGE);
    assertThat(o.errLines().get(0)).startsWith("lockstep: " + cfg + ":7: data.csv.train_file: file "
        + dir.resolve("data/wine.csv") + ": not found");
  }

  @Test
  void aWrongDataDirIsNamedWithItsSet() throws IOException {
    Outcome o = train("-c", syntheticConfig("").toString(), "--set", "data.format=idx", "--set",
        "data.dir=" + dir.resolve("nowhere"));
    assertNothingStarted(o, ExitCodes.USAGE);
    assertThat(o.errLines().get(0)).isEqualTo("lockstep: --set data.dir=" + dir.resolve("nowhere")
        + ": data.dir: no such directory: " + dir.resolve("nowhere"));
  }

  @Test
  void anIdxFileMissingFromDataDirIsNamedByItsKey() throws IOException {
    Files.createDirectories(dir.resolve("mnist"));
    Outcome o = train("-c", syntheticConfig("").toString(), "--set", "data.format=idx", "--set",
        "data.dir=" + dir.resolve("mnist"));
    assertNothingStarted(o, ExitCodes.USAGE);
    assertThat(o.errLines().get(0)).isEqualTo("lockstep: " + dir.resolve("synthetic.yaml") + ":4: data.train_images: "
        + dir.resolve("mnist/train-images-idx3-ubyte.gz") + " not found (data.dir is " + dir.resolve("mnist")
        + ") (not set)");
  }

  @Test
  void anOutDirThatCannotBeCreatedIsRefusedAndNothingIsWritten() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Outcome o = train("-c", syntheticConfig("").toString(), "--set", "run.out_dir=" + file.resolve("runs"));
    assertNothingStarted(o, ExitCodes.USAGE);
    assertThat(o.errLines().get(0)).contains("run.out_dir: cannot create the run directory under "
        + file.resolve("runs") + ": " + file + " is not a directory");
  }

  @Test
  void aGlobalBatchLargerThanTheDataIsOneErrorNotAHundredRanks() throws IOException {
    Outcome o = train("-c", syntheticConfig("").toString(), "--np", "100");
    assertNothingStarted(o, ExitCodes.USAGE);
    assertThat(o.errLines().get(0)).isEqualTo("lockstep: " + dir.resolve("synthetic.yaml") + ":6: data.batch_size: "
        + "100 ranks × 32 per rank = 3200 exceeds the 2048 training samples: no full step fits in an epoch");
  }

  @Test
  void aDemandedGpuThatIsNotThereExits4WithoutRanks() throws IOException {
    Assumptions.assumeTrue(CudaBackend.unavailableReason().isPresent(), "a GPU is usable here");
    Outcome o = train("-c", syntheticConfig("backend: {device: cuda}").toString());
    assertNothingStarted(o, ExitCodes.NO_DEVICE);
    assertThat(o.errLines().get(0)).contains(":8: backend.device: cuda is demanded but no GPU is usable");
  }

  @Test
  void aResumeWhoseSnapshotWasMadeWithAnotherConfigIsRefusedBeforeRanks() throws IOException {
    // A snapshot as a run leaves it, made with another learning rate: only its manifest and config matter here.
    Path runDir = dir.resolve("out/r");
    Path snapshot = runDir.resolve("checkpoints/step-000004");
    Files.createDirectories(runDir);
    Files.writeString(runDir.resolve("config.yaml"), "x");
    Path cfg = syntheticConfig("");
    String yaml = dev.lockstep.config.ConfigWriter.toYaml(ConfigLoader.load(cfg, List.of("optimizer.lr=0.5")));
    dev.lockstep.state.SnapshotWriter.write(runDir.resolve("checkpoints"), new dev.lockstep.state.Snapshot(
        new dev.lockstep.state.TrainingPosition(4, 0, 4, 2, 32), "sgd", 4, new float[10], List.of(),
        List.of(new dev.lockstep.nn.LayerRange(0, "layers.0.linear", 0, 10)), "constant", 64, 0.5, yaml,
        dev.lockstep.state.ConfigFingerprint.hash(yaml)));
    Outcome o = train("-c", cfg.toString(), "--resume", runDir.toString());
    assertThat(o.code()).as(err.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(o.errLines()).hasSize(1);
    assertThat(o.errLines().get(0)).startsWith("lockstep: --resume: " + snapshot + " was made with a different "
        + "config: optimizer.lr: 0.5 in the snapshot, 0.05 now.");
    assertThat(o.seconds()).isLessThan(3);
    try (var files = Files.list(runDir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("config.yaml",
          "checkpoints");
    }
  }

  @Test
  void moreRanksThanCoresIsAWarningNotAnError() throws IOException {
    Path cfg = syntheticConfig("");
    int cores = Runtime.getRuntime().availableProcessors();
    List<RunPreflight.Check> checks = RunPreflight.checks(ConfigLoader.loadLocated(cfg, List.of()),
        new RunPreflight.Plan(cores + 1, true, null));
    assertThat(RunPreflight.firstFailure(checks)).isEmpty();
    assertThat(checks).filteredOn(c -> c.status() == RunPreflight.Status.WARN).singleElement()
        .satisfies(c -> assertThat(c.message()).startsWith((cores + 1) + " ranks on " + cores + " cores: "
            + "oversubscribed"));
    assertThat(checks).extracting(RunPreflight.Check::topic).contains("data", "batch", "output");
  }
}

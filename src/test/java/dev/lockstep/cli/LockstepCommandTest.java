package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.LockstepConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a script sees it: exit codes, stdout, stderr. */
class LockstepCommandTest {
  private static final String SHIPPED = "configs/fashion-mnist-mlp.yaml";

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LockstepCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
  }

  private Path badConfig() throws IOException {
    return Files.writeString(dir.resolve("bad.yaml"),
        "model:\n  layers:\n    - {type: linear, units: 10}\noptimizer:\n  lr: -1\n");
  }

  // --- help and version ---

  @Test
  void helpIsAManualWithExamplesAndExitCodes() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Usage: lockstep", "train", "config", "Examples:", "Exit codes:");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(run("train", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: lockstep train", "--np=N", "--dev=DEVICE", "--machines=FILE",
        "--set=KEY.PATH=VALUE", "(default: 2)", "(default: multicore)", "Examples:");
    assertThat(run("config", "show", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: lockstep config show");
    assertThat(run("help", "config")).isZero();
    assertThat(out.toString()).contains("Usage: lockstep config", "show");
  }

  @Test
  void versionNamesLockstepAndJava() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("lockstep ").contains("Java " + System.getProperty("java.version"));
  }

  // --- usage errors: exit 2, picocli's message, a pointer to --help ---

  @Test
  void noCommandIsAUsageErrorListingEveryRegisteredCommand() {
    assertThat(run()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: Missing command").contains("Try 'lockstep --help'");
    CommandLine cmd = LockstepCommand.commandLine(new PrintWriter(out), new PrintWriter(err));
    assertThat(cmd.getSubcommands().keySet()).contains("daemons");
    assertThat(err.toString().lines().findFirst().orElseThrow())
        .isEqualTo("lockstep: Missing command: expected one of " + String.join(", ", cmd.getSubcommands().keySet()));
    assertThat(run("config")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void helpFollowsTheTerminalsWidthAndDocumentsTheEnvironment() {
    CommandLine cmd = LockstepCommand.commandLine(new PrintWriter(out), new PrintWriter(err));
    List<CommandLine> all = new java.util.ArrayList<>(List.of(cmd));
    for (int i = 0; i < all.size(); i++) {
      all.addAll(all.get(i).getSubcommands().values());
    }
    assertThat(all).hasSizeGreaterThan(10)
        .allSatisfy(c -> assertThat(c.isUsageHelpAutoWidth()).as(c.getCommandName()).isTrue());
    for (String[] help : List.of(new String[] {"--help"}, new String[] {"train", "--help"})) {
      out.getBuffer().setLength(0);
      assertThat(run(help)).isZero();
      assertThat(out.toString()).contains("Environment:", "LOCKSTEP_JAVA_OPTS", "LOCKSTEP_RANK_JAVA_OPTS",
          "LOCKSTEP_DEBUG", "MPJ_HOME");
      // no terminal here: picocli's 80 columns
      assertThat(out.toString().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }
  }

  @Test
  void unknownCommandSuggestsTheNearestOne() {
    assertThat(run("trian", "-c", SHIPPED)).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("lockstep: Unmatched argument", "'trian'", "Did you mean", "train");
  }

  @Test
  void unknownOption() {
    assertThat(run("config", "show", "-c", SHIPPED, "--verbose")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: Unknown option: '--verbose'")
        .contains("Try 'lockstep config show --help'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void missingConfigOption() {
    assertThat(run("train")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: Missing required option: '--config=FILE'");
    assertThat(run("config", "show")).isEqualTo(ExitCodes.USAGE);
  }

  // --- config show ---

  @Test
  void configShowPrintsTheEffectiveConfigWithOverrides() {
    assertThat(run("config", "show", "-c", SHIPPED, "--set", "optimizer.lr=0.1", "--set", "model.layers.0.units=64"))
        .isZero();
    assertThat(err.toString()).isEmpty();
    LockstepConfig shown = ConfigLoader.fromYaml(out.toString(), "shown", List.of());
    assertThat(shown).isEqualTo(
        ConfigLoader.load(Path.of(SHIPPED), List.of("optimizer.lr=0.1", "model.layers.0.units=64")));
    assertThat(shown.optimizer().lr()).isEqualTo(0.1);
    assertThat(out.toString()).contains("  lr: 0.1\n", "  timeout_s: 120.0\n");
  }

  @Test
  void configShowReportsEveryProblemWithFileLineAndKeyPath() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"),
        "model:\n  layers:\n    - {type: linear, units: 10}\noptimizer:\n  lr: -1\nupdate: {mode: lazy}\n");
    assertThat(run("config", "show", "-c", bad.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo(
        "lockstep: " + bad + ":5: optimizer.lr: must be > 0 (got -1)\n"
            + "lockstep: " + bad + ":6: update.mode: must be one of sync, async, auto (got \"lazy\")\n");
  }

  @Test
  void configShowAppendsTheCheckpointingPlanAsComments() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
        "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed");
    assertThat(run("config", "show", "-c", SHIPPED, "--set", "checkpointing.segments=2")).isZero();
    String shown = out.toString();
    assertThat(shown).contains("# checkpointing plan for segments: 2 (computed, not config; input width 784",
        "#   checkpointing: 2 segments [", "#     segment 1: layers 0-", "(not recomputed)\n",
        "#   predicted activation peak: ");
    // still a config lockstep reads back unchanged
    assertThat(ConfigLoader.fromYaml(shown, "shown", List.of()))
        .isEqualTo(ConfigLoader.load(Path.of(SHIPPED), List.of("checkpointing.segments=2")));
  }

  @Test
  void configShowSaysWhenThePlanCannotBeComputedAndFailsWhenItCannotFit() throws IOException {
    Path noData = Files.writeString(dir.resolve("nodata.yaml"), "model:\n  layers:\n    - {type: linear, units: 10}\n"
        + "data: {dir: " + dir.resolve("missing") + "}\n");
    assertThat(run("config", "show", "-c", noData.toString())).isZero();
    assertThat(out.toString()).contains("# checkpointing plan: not computed, the model's input width comes from the "
        + "data (file " + dir.resolve("missing") + "/train-images-idx3-ubyte.gz: not found)\n");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")));
    assertThat(run("config", "show", "-c", SHIPPED, "--set", "checkpointing.max_activation_mb=0.01"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: checkpointing.max_activation_mb: segments: 0 needs ");
  }

  @Test
  void benchCheckpointingMeasuresOneSettingInTheChildMode() {
    assertThat(run("bench", "checkpointing", "--child", "--segments", "2", "--input", "5", "--hidden", "6",
        "--depth", "2", "--classes", "3", "--batch", "4", "--steps", "2", "--warmup", "0", "--threads", "1"))
        .as(err.toString()).isZero();
    // 5 layers: outputs 6 6 6 6 3 (27 floats per row), two gradient buffers of 6
    String line = out.toString().trim();
    assertThat(line).startsWith("bench-result setting=2 plan=2_segments_[0-2_|_3-4] activation_bytes=")
        .contains(" keep_all_bytes=" + 4 * 4 * (27 + 12) + " hwm_kb=", " ms=");
    assertThat(run("bench", "checkpointing", "--batch", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: lockstep bench", "checkpointing");
  }

  @Test
  void configShowReportsABadOverride() {
    assertThat(run("config", "show", "-c", SHIPPED, "--set", "optimizer.lrr=1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: --set optimizer.lrr=1: unknown key optimizer.lrr (known: ");
  }

  // --- train: everything that must fail before a rank starts ---

  @Test
  void trainRejectsAnInvalidConfigBeforeLaunching() throws IOException {
    Path bad = badConfig();
    assertThat(run("train", "-c", bad.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).isEqualTo("lockstep: " + bad + ":5: optimizer.lr: must be > 0 (got -1)\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void trainRejectsAMissingConfigFile() {
    assertThat(run("train", "-c", "no/such.yaml")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).isEqualTo("lockstep: no such config file: no/such.yaml\n");
  }

  @Test
  void trainRejectsABadOverrideValue() {
    assertThat(run("train", "-c", SHIPPED, "--set", "optimizer.lr=-1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).isEqualTo("lockstep: --set optimizer.lr=-1: optimizer.lr: must be > 0 (got -1)\n");
  }

  @Test
  void trainRejectsBadLaunchOptions() throws IOException {
    assertThat(run("train", "-c", SHIPPED, "--np", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: --np must be >= 1 (got 0)\n");

    err.getBuffer().setLength(0);
    assertThat(run("train", "-c", SHIPPED, "--np", "two")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: Invalid value for option '--np': 'two' is not an int");

    err.getBuffer().setLength(0);
    assertThat(run("train", "-c", SHIPPED, "--dev", "smpdev")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: --dev must be one of multicore, niodev, hybdev (got 'smpdev')");

    err.getBuffer().setLength(0);
    Path nowhere = dir.resolve("machines.txt");
    assertThat(run("train", "-c", SHIPPED, "--dev", "niodev", "--machines", nowhere.toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: no such machines file: " + nowhere);

    err.getBuffer().setLength(0);
    Files.writeString(nowhere, "localhost\n");
    assertThat(run("train", "-c", SHIPPED, "--machines", nowhere.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: --machines is for --dev niodev or hybdev");
  }

  @Test
  void aBadMachinesFileIsOneLineAndExit2ForEveryCommand() throws IOException {
    Path machines = Files.writeString(dir.resolve("hosts.txt"), "localhost slots=4\nnode2:41055\n");
    String why = "lockstep: " + machines + " line 2: 'node2:41055': the number after ':' is the host's slots";
    for (String action : List.of("status", "start", "stop")) {
      err.getBuffer().setLength(0);
      assertThat(run("daemons", action, "--machines", machines.toString())).as(action).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).as(action).startsWith(why).hasLineCount(1);
    }
    err.getBuffer().setLength(0);
    assertThat(run("train", "-c", SHIPPED, "--dev", "niodev", "--machines", machines.toString()))
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void launchOptionsAreCheckedBeforeTheConfig() throws IOException {
    assertThat(run("train", "-c", badConfig().toString(), "--np", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("lockstep: --np must be >= 1");
  }

  @Test
  void ranksGetTheSameTrainCommandWithTheConfigByAbsolutePath() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("-c", SHIPPED, "--np", "3", "--set", "optimizer.lr=0.1", "--set",
        "data.shuffle=false");

    assertThat(train.np).isEqualTo(3);
    assertThat(train.device).isEqualTo("multicore");
    assertThat(train.rankArgs()).containsExactly("train", "-c", Path.of(SHIPPED).toAbsolutePath().toString(),
        "--set", "optimizer.lr=0.1", "--set", "data.shuffle=false");
  }
}

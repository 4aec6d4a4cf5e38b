package dev.lockstep.cli;

import dev.lockstep.config.ConfigException;
import dev.lockstep.config.ConfigLoader;
import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import dev.lockstep.state.SnapshotException;
import dev.lockstep.state.SnapshotReader;
import dev.lockstep.train.RunPreflight;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep train}: checks the config, then starts the ranks through the launcher. Nothing is started
 * unless the options and the whole config are valid.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Train a model with synchronous data-parallel SGD on N ranks.",
    descriptionHeading = "%n",
    description = {
        "Reads and validates the config (with every --set applied) first: a bad key, type or value stops here "
            + "with file:line and the key path, and no rank starts. Then checks what the run needs from this "
            + "machine: the data files, the global batch against the training samples, that run.out_dir can be "
            + "written, the --resume snapshot and a demanded GPU; a problem is one line (exit 2, or 4 for the GPU) "
            + "and still no rank starts. Then starts --np ranks through MPJ Express. "
            + "Every rank builds the same model from run.seed, trains on its own shard of each global batch "
            + "(data.batch_size x np samples) and averages gradients with the others before every step, so all "
            + "replicas stay identical.",
        "",
        "The run writes <run.out_dir>/<run.name>/: config.yaml (the effective config), metrics.jsonl, "
            + "summary.json, checkpoints/ and model.safetensors; plots/*.png with output.plots: true, trace.json "
            + "(open in chrome://tracing or ui.perfetto.dev) with output.trace: true.",
        "",
        "On a terminal rank 0 draws a progress bar per epoch (steps, ETA, loss, accuracy, samples/s, share of "
            + "time in communication); otherwise (a pipe, a file, CI) it prints a plain line every "
            + "output.log_every steps:",
        "  step 450/936 | epoch 1/2 | loss 0.3912 | 6100 samples/s | comm 30%% | wait 1%%",
        "",
        "Ctrl-C or SIGTERM stops every rank at the next step boundary (the same step on all), writes a snapshot "
            + "there (unless output.snapshot_on_interrupt: false) and prints 'interrupted at step N; resume: "
            + "lockstep train --resume DIR'; exit 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C ends at once.",
        "",
        "With --max-restarts N (or run.max_restarts) a job whose rank failed (died, hung past comm.timeout_s: "
            + "exit 3) is started again from the newest snapshot, up to N times; config and data errors (exit 2) "
            + "are never retried. summary.json lists the restarts.",
        "",
        "Ranks can also be started with MPJ's own starter (lockstep's assembled MPJ home, target/mpj-home, has "
            + "one; its exit code is the failing rank's); they take the same arguments:",
        "  target/mpj-home/bin/mpjrun.sh -np 4 -dev multicore -jar target/lockstep.jar train -c cfg.yaml"},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  Train the default model on 2 ranks (threads of one JVM):",
        "    lockstep train -c configs/fashion-mnist-mlp.yaml",
        "",
        "  4 ranks, a larger learning rate, a short smoke run:",
        "    lockstep train -c configs/fashion-mnist-mlp.yaml --np 4 \\",
        "        --set optimizer.lr=0.1 --set run.max_steps=100",
        "",
        "  A script that follows the loss as JSON, into a directory of its choosing:",
        "    lockstep train -c cfg.yaml --json --run-dir runs/exp-42 | jq -c 'select(.kind == \"step\") | [.step, .loss]'",
        "",
        "  Record a timeline and charts of the run:",
        "    lockstep train -c cfg.yaml --set output.trace=true --set output.plots=true",
        "",
        "  One process per rank across the hosts listed in machines.txt:",
        "    lockstep train -c cfg.yaml --np 8 --dev niodev --machines machines.txt",
        "",
        "  One JVM per host, its ranks as threads (here 4 per host on 2 hosts):",
        "    lockstep train -c cfg.yaml --np 8 --dev hybdev --machines machines.txt",
        "",
        "  Continue an interrupted run from its newest snapshot, with the config it ran with:",
        "    lockstep train --resume runs/fashion-mnist-mlp",
        "",
        "  Survive up to 2 rank failures, snapshotting every 200 steps:",
        "    lockstep train -c cfg.yaml --max-restarts 2 --set output.save_every_steps=200"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every rank finished",
        "2:bad usage, config or data; nothing was started",
        "3:a rank failed (after --max-restarts restarts, if any)",
        "4:backend.device demands a device that is not usable",
        "130:interrupted by SIGINT (Ctrl-C); 143: by SIGTERM"})
final class TrainCommand implements Callable<Integer> {
  static final List<String> DEVICES = List.of("multicore", "niodev", "hybdev");

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = {"The run's YAML config (optional with --resume DIR: then DIR's config.yaml). A documented one "
          + "to copy:", "  configs/fashion-mnist-mlp.yaml"})
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
      description = {
          "Override one config key; repeatable, later ones win. The value is read as YAML and checked like "
              + "the file; list elements go by number:",
          "  --set optimizer.lr=0.1",
          "  --set data.shuffle=false",
          "  --set model.layers.0.units=512"})
  List<String> overrides = new ArrayList<>();

  @Option(names = "--np", paramLabel = "N", defaultValue = "2",
      description = "Number of ranks (default: ${DEFAULT-VALUE}). The global batch is data.batch_size x N.")
  int np;

  @Option(names = "--dev", paramLabel = "DEVICE", defaultValue = "multicore",
      description = {
          "MPJ Express device (default: ${DEFAULT-VALUE}): multicore runs all ranks as threads of one JVM on "
              + "this machine; niodev runs one process per rank over TCP through MPJ daemons; hybdev mixes "
              + "both (threads within a host, TCP between hosts)."})
  String device;

  @Option(names = "--machines", paramLabel = "FILE",
      description = "Hosts for niodev or hybdev, one per line: HOST[:SLOTS] [slots=N] [port=P] [netns=NAME] "
          + "(MPJ's machines files are valid; SLOTS = ranks on that host, as in Horovod and Open MPI; P = its MPJ "
          + "daemon's port). Ranks go in blocks, in order, started by the MPJ daemons there (lockstep daemons start): "
          + "niodev fills each host up to its slots (np above their sum is an error), or ceil(np/hosts) rank JVMs per "
          + "host when no slots are given; hybdev one JVM per host with np/hosts rank threads, the remainder one each "
          + "on the first hosts (slots, if given, must hold them).")
  Path machines;

  @Option(names = {"-q", "--quiet"},
      description = "Print only errors and the final summary (with the run directory).")
  boolean quiet;

  @Option(names = "--json",
      description = {
          "For scripts: stdout carries JSON lines only: a {\"kind\": \"start\"} record with run_dir (and ranks, "
              + "steps, backend) before the first step, the records of metrics.jsonl as they are logged "
              + "(\"step\", \"eval\", \"event\"), and a {\"kind\": \"summary\"} record with run_dir and the "
              + "fields of summary.json at the end. Words (the summary line, warnings, errors) go to stderr. A "
              + "failed run has no summary record: check the exit code."})
  boolean json;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Write the run into exactly DIR (created with its parents) instead of <run.out_dir>/<run.name>, "
          + "-2, -3, ... An existing DIR must be empty (exit 2 otherwise, nothing started): a run never mixes its "
          + "files with another's. Not with --resume, which continues in the snapshot's own run directory.")
  Path runDir;

  @Option(names = "--resume", paramLabel = "DIR",
      description = {
          "Continue from a snapshot: a run directory (its newest checkpoints/step-NNNNNN) or one snapshot "
              + "directory. The run goes on in that run directory (metrics.jsonl is appended to, after a "
              + "\"resume\" record). With the same --np the result is bit-identical to an uninterrupted run; "
              + "another --np is allowed and the run says what changes. Without -c the run directory's "
              + "config.yaml is the config (--set still applies). The config must match the snapshot's "
              + "except run.epochs, run.max_steps, run.name, run.out_dir, run.max_restarts, output.*, comm.*, "
              + "simulate.*, backend.threads, update.check_every and update.on_nonfinite; otherwise it is refused "
              + "(exit 2) naming the keys that differ, before any rank starts."})
  Path resume;

  @Option(names = "--max-restarts", paramLabel = "N",
      description = "When a rank fails (exit 3: it died or hung), restart all ranks from the newest snapshot of the "
          + "run, up to N times (default: run.max_restarts). Without a snapshot yet, the run starts over.")
  Integer maxRestarts;

  @Override
  public Integer call() {
    checkOptions();
    if (configFile == null) {
      configFile = configOf(resume);
    }
    // The config fails with file:line and key path, then what it needs from this machine; both before any rank.
    ConfigLoader.Located cfg = ConfigLoader.loadLocated(configFile, overrides);
    ConfigOptions.checkModelShapes(configFile, overrides, cfg.config()); // a layer that does not fit its input
    PrintWriter err = spec.commandLine().getErr();
    boolean here = Launcher.onThisMachine(absolute(machines));
    List<RunPreflight.Check> checks = RunPreflight.checks(cfg, new RunPreflight.Plan(np, here, absolute(resume),
        absolute(runDir)));
    var failed = RunPreflight.firstFailure(checks);
    if (failed.isPresent()) { // one line: the first problem
      err.println("lockstep: " + failed.get().message());
      err.flush();
      return failed.get().exitCode();
    }
    for (RunPreflight.Check c : checks) {
      if (c.status() == RunPreflight.Status.WARN) {
        err.println("lockstep: warning: " + c.message());
      }
    }
    err.flush();
    int restarts = maxRestarts != null ? maxRestarts : cfg.config().run().maxRestarts();
    return Launcher.launch(new LaunchSpec(np, device, absolute(machines), rankArgs(), restarts));
  }

  /** {@code --resume DIR} alone: the config the run was made with, DIR's config.yaml (or its run directory's). */
  private static Path configOf(Path resume) {
    Path config = resume.resolve("config.yaml");
    try {
      Path runDir = Files.isRegularFile(config) ? resume : SnapshotReader.runDirectoryOf(SnapshotReader.locate(resume));
      config = runDir.resolve("config.yaml");
    } catch (SnapshotException e) {
      throw new ConfigException(e.getMessage());
    }
    if (!Files.isRegularFile(config)) {
      throw new ConfigException("--resume " + resume + ": no config.yaml there to continue with; name one with -c FILE");
    }
    return config;
  }

  private void checkOptions() {
    if (configFile == null && resume == null) {
      throw usage("Missing required option: '--config=FILE' (or --resume DIR, which brings its own config)");
    }
    if (maxRestarts != null && maxRestarts < 0) {
      throw usage("--max-restarts must be >= 0 (got " + maxRestarts + ")");
    }
    if (np < 1) {
      throw usage("--np must be >= 1 (got " + np + ")");
    }
    if (!DEVICES.contains(device)) {
      throw usage("--dev must be one of " + String.join(", ", DEVICES) + " (got '" + device + "')");
    }
    if (quiet && json) {
      throw usage("--quiet and --json exclude each other (--json already prints no progress lines)");
    }
    if (runDir != null) {
      if (resume != null) {
        throw usage("--run-dir and --resume exclude each other (a resumed run continues in its own run directory)");
      }
      if (Files.exists(runDir) && !isEmptyDirectory(runDir)) {
        throw usage("--run-dir: " + runDir + (Files.isDirectory(runDir) ? " exists and is not empty" : " is a file")
            + " (choose a new or empty directory; to continue a run there, use --resume " + runDir + ")");
      }
    }
    if (resume != null && !Files.isDirectory(resume)) {
      throw usage("--resume: no such directory: " + resume);
    }
    if (machines != null) {
      if (device.equals("multicore")) {
        throw usage("--machines is for --dev niodev or hybdev; multicore runs on this machine only");
      }
      if (!Files.isRegularFile(machines)) {
        throw usage("no such machines file: " + machines);
      }
    }
  }

  /** What every rank runs: the same train command, with the config by absolute path (ranks may start elsewhere). */
  List<String> rankArgs() {
    List<String> args = new ArrayList<>(List.of("train", "-c", absolute(configFile).toString()));
    if (resume != null) {
      args.add("--resume");
      args.add(absolute(resume).toString());
    }
    for (String o : overrides) {
      args.add("--set");
      args.add(o);
    }
    if (runDir != null) {
      args.add("--run-dir");
      args.add(absolute(runDir).toString());
    }
    if (quiet) {
      args.add("--quiet");
    }
    if (json) {
      args.add("--json");
    }
    return args;
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static Path absolute(Path p) {
    return p == null ? null : p.toAbsolutePath().normalize();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

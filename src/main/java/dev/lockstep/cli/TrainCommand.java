package dev.lockstep.cli;

import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            + "with file:line and the key path, and no rank starts. Then starts --np ranks through MPJ Express. "
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
        "Ranks can also be started with MPJ's own starter; they take the same arguments:",
        "  mpjrun.sh -np 4 -dev multicore -jar lockstep.jar train -c cfg.yaml"},
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
        "  A script that follows the loss as JSON:",
        "    lockstep train -c cfg.yaml --json | jq -c 'select(.kind == \"step\") | [.step, .loss]'",
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
        "  Continue an interrupted run from its newest snapshot (output.save_every_steps > 0):",
        "    lockstep train -c cfg.yaml --resume runs/fashion-mnist-mlp"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every rank finished",
        "2:bad usage, config or data; nothing was started",
        "3:a rank failed",
        "4:backend.device demands a device that is not usable"})
final class TrainCommand implements Callable<Integer> {
  static final List<String> DEVICES = List.of("multicore", "niodev", "hybdev");

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

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
      description = "Hosts for niodev or hybdev, one per line: HOST[:PORT] [netns=NAME] (MPJ's machines files are "
          + "valid). Ranks go in blocks, in order, started by the MPJ daemons there (lockstep daemons start): niodev "
          + "ceil(np/hosts) rank JVMs per host; hybdev one JVM per host with np/hosts rank threads, the remainder "
          + "one each on the first hosts.")
  Path machines;

  @Option(names = {"-q", "--quiet"},
      description = "Print only errors and the final summary (with the run directory).")
  boolean quiet;

  @Option(names = "--json",
      description = {
          "For scripts: stdout carries exactly the records of metrics.jsonl, one JSON object per line, as they "
              + "are logged ({\"kind\": \"step\"|\"eval\", ...}); the summary goes to stderr."})
  boolean json;

  @Option(names = "--resume", paramLabel = "DIR",
      description = {
          "Continue from a snapshot: a run directory (its newest checkpoints/step-NNNNNN) or one snapshot "
              + "directory. The run goes on in that run directory (metrics.jsonl is appended to, after a "
              + "\"resume\" record). With the same --np the result is bit-identical to an uninterrupted run; "
              + "another --np is allowed and the run says what changes. The config must match the snapshot's "
              + "except run.epochs, run.max_steps, run.name, run.out_dir, output.*, comm.*, simulate.*, "
              + "backend.threads, update.check_every and update.on_nonfinite; otherwise it is refused (exit 2) "
              + "naming the keys that differ, and nothing is written."})
  Path resume;

  @Override
  public Integer call() {
    checkOptions();
    config.checkModelShapes(config.load()); // fails with file:line and key path before any rank exists
    return Launcher.launch(new LaunchSpec(np, device, absolute(machines), rankArgs()));
  }

  private void checkOptions() {
    if (np < 1) {
      throw usage("--np must be >= 1 (got " + np + ")");
    }
    if (!DEVICES.contains(device)) {
      throw usage("--dev must be one of " + String.join(", ", DEVICES) + " (got '" + device + "')");
    }
    if (quiet && json) {
      throw usage("--quiet and --json exclude each other (--json already prints no progress lines)");
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
    List<String> args = new ArrayList<>(List.of("train", "-c", absolute(config.file).toString()));
    if (resume != null) {
      args.add("--resume");
      args.add(absolute(resume).toString());
    }
    for (String o : config.overrides) {
      args.add("--set");
      args.add(o);
    }
    if (quiet) {
      args.add("--quiet");
    }
    if (json) {
      args.add("--json");
    }
    return args;
  }

  private static Path absolute(Path p) {
    return p == null ? null : p.toAbsolutePath().normalize();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

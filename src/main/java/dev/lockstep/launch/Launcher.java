package dev.lockstep.launch;

import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.state.SnapshotException;
import dev.lockstep.state.SnapshotReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Starts and supervises the ranks of one job (see package-info for the process/thread model) and returns the job's
 * exit code (DESIGN §7): 0 every rank finished, 2 bad usage or set-up, 3 a rank failed (or hung past its deadline).
 */
public final class Launcher {
  /** How long niodev ranks may take to reach MPI.Init's rendezvous (JVM start + class loading). */
  static final long RENDEZVOUS_TIMEOUT_MS = 60_000;

  private static final Set<String> DEVICES = Set.of("multicore", "niodev", "hybdev");

  private Launcher() {}

  /** Starts the ranks, waits for them, and returns the job's exit code; rank output streams to this process's. */
  public static int launch(LaunchSpec spec) {
    return launch(spec, RankOutput.inherit());
  }

  /** Same, with every rank's stdout and stderr and the launcher's messages copied line by line into {@code output}. */
  public static int launch(LaunchSpec spec, OutputStream output) {
    return launch(spec, RankOutput.copyTo(output));
  }

  /**
   * The job, restarted up to {@code spec.maxRestarts()} times when a rank failed (exit 3): every rank starts again
   * from the newest snapshot of the run directory rank 0 made (from the beginning, in a new run directory, when there
   * is none yet). Exit 2 (config, data) and 4 (device) are never retried: they would fail again.
   */
  private static int launch(LaunchSpec spec, RankOutput output) {
    boolean train = !spec.rankArgs().isEmpty() && spec.rankArgs().get(0).equals(RankTasks.TRAIN);
    List<String> restarts = new ArrayList<>();
    List<String> args = spec.rankArgs();
    for (int attempt = 0; ; attempt++) {
      Attempt a = once(spec, output, train && attempt > 0 ? withAttempt(args, attempt, restarts) : args);
      if (a.code() != ExitCodes.RANK_FAILED || attempt >= spec.maxRestarts() || !train) {
        return a.code();
      }
      Path snapshot = newestSnapshot(a.runDir());
      String who = a.failed() != null ? a.failed() : "a rank";
      long fromStep = snapshot == null ? 0 : stepOf(snapshot);
      Path chosen = snapshot == null && !a.remote() ? chosenRunDir(spec.rankArgs()) : null;
      if (chosen != null && !emptyDirectory(chosen, output)) { // --run-dir: the failed attempt's own files
        return a.code();
      }
      output.message("lockstep: restart " + (attempt + 1) + " of " + spec.maxRestarts() + ": " + who + " failed; "
          + (snapshot == null && a.remote() ? "rank 0's run directory is on another host, so all ranks start "
          + "from the beginning (a new run directory)"
          : snapshot == null ? "no snapshot yet, so all ranks start from the beginning ("
              + (chosen != null ? "in --run-dir " + chosen + ", emptied" : "a new run directory") + ")"
          : "all ranks start again from the snapshot at step " + fromStep + " (" + snapshot + ")"));
      restarts.add("failed=" + who.replace(' ', '_').replace(',', '_') + ",exit=" + a.code() + ",from_step="
          + fromStep);
      args = resumeArgs(spec.rankArgs(), snapshot == null ? null : a.runDir());
    }
  }

  /** One attempt's outcome: the exit code, who failed, and rank 0's run directory (null if unknown). */
  private record Attempt(int code, String failed, Path runDir, boolean remote) {
    Attempt(int code, String failed, Path runDir) {
      this(code, failed, runDir, false);
    }
  }

  private static Attempt once(LaunchSpec spec, RankOutput output, List<String> rankArgs) {
    try {
      List<Machine> machines = validate(spec);
      MpjHome home = MpjHome.resolve();
      if (machines != null) {
        int code = new DaemonJob(machines, spec.np(), spec.device(), output)
            .run(home, RankCommands.forThisJvm(home, RankClasspath.ofThisJvm()), List.copyOf(rankArgs));
        return new Attempt(code, null, null, true);
      }
      RankCommands commands = RankCommands.forThisJvm(home, RankClasspath.ofThisJvm());
      Path workDir = Path.of(System.getProperty("user.dir"));
      try (RankProcesses ranks = new RankProcesses(output);
           LauncherSignals signals = new LauncherSignals(ranks, output)) {
        int code = run(spec, output, ranks, home, commands, workDir, List.copyOf(rankArgs));
        return new Attempt(code, ranks.failed(), ranks.runDirectory());
      }
    } catch (LaunchException e) {
      output.message("lockstep: " + e.getMessage());
      return new Attempt(e.exitCode(), null, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      output.message("lockstep: interrupted; stopped the ranks");
      return new Attempt(ExitCodes.RANK_FAILED, null, null);
    }
  }

  private static int run(LaunchSpec spec, RankOutput output, RankProcesses ranks, MpjHome home, RankCommands commands,
                         Path workDir, List<String> rankArgs) throws InterruptedException {
    Map<String, String> env = new HashMap<>(ranks.rankEnvironment(home));
    if (ConsoleMode.liveFor(output.reachesTerminal(), System.getenv())) {
      env.put(ConsoleMode.ENV, "live"); // the ranks' stdout is ours, a terminal: they may draw progress bars
    }
    if (spec.device().equals("multicore")) {
      ranks.start(commands.multicore(spec.np(), workDir, rankArgs), env, "the multicore JVM", allRanks(spec.np()));
      return ranks.await(RankProcesses.Health.ALWAYS);
    }
    if (spec.device().equals("hybdev")) { // one host: one JVM, all ranks its threads, one niodev process
      try (NiodevRendezvous rendezvous = new NiodevRendezvous(1)) {
        ranks.start(commands.hybdevHost(spec.np(), spec.np(), 1, 0, rendezvous.configArgument(), workDir,
            rankArgs), env, "the hybdev JVM", allRanks(spec.np()));
        return ranks.await(waitedMs -> rendezvousProblem(rendezvous, 1, "hybdev JVM", waitedMs));
      }
    }
    try (NiodevRendezvous rendezvous = new NiodevRendezvous(spec.np())) {
      for (int r = 0; r < spec.np(); r++) {
        ranks.start(commands.niodevRank(r, rendezvous.configArgument(), rankArgs), env, "rank " + r, List.of(r));
      }
      return ranks.await(waitedMs -> rendezvousProblem(rendezvous, spec.np(), "niodev ranks", waitedMs));
    }
  }

  /** The newest complete snapshot of {@code runDir}, or null (no run directory yet, or no snapshot in it). */
  private static Path newestSnapshot(Path runDir) {
    if (runDir == null) {
      return null;
    }
    try {
      return SnapshotReader.locate(runDir);
    } catch (SnapshotException e) {
      return null;
    }
  }

  private static long stepOf(Path snapshot) {
    try {
      return SnapshotReader.read(snapshot).position().step();
    } catch (SnapshotException e) {
      return -1;
    }
  }

  /** The directory of {@code train --run-dir DIR} among the rank arguments, or null. */
  private static Path chosenRunDir(List<String> args) {
    int i = args.indexOf("--run-dir");
    return i >= 0 && i + 1 < args.size() ? Path.of(args.get(i + 1)) : null;
  }

  /** Deletes what is inside {@code dir}, keeping {@code dir}; false (saying why) when it cannot. */
  private static boolean emptyDirectory(Path dir, RankOutput output) {
    try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          java.nio.file.Files.delete(p);
        }
      }
      return true;
    } catch (java.io.IOException e) {
      output.message("lockstep: cannot empty --run-dir " + dir + " to start the job again: " + e);
      return false;
    }
  }

  /** The user's rank arguments with any --resume replaced by {@code runDir} (none when null). */
  private static List<String> resumeArgs(List<String> original, Path runDir) {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < original.size(); i++) {
      if (original.get(i).equals("--resume") && i + 1 < original.size()) {
        i++;
      } else {
        args.add(original.get(i));
      }
    }
    if (runDir != null) {
      args.add("--resume");
      args.add(runDir.toString());
    }
    return args;
  }

  /** Tells the ranks which attempt this is and what failed before (TrainRankTask: summary.json, simulate.fail). */
  private static List<String> withAttempt(List<String> args, int attempt, List<String> restarts) {
    List<String> out = new ArrayList<>(args);
    out.add("--attempt");
    out.add(String.valueOf(attempt));
    for (String r : restarts) {
      out.add("--restarted");
      out.add(r);
    }
    return out;
  }

  /** Whether every rank runs on this machine: no machines file, or one naming only this machine. */
  public static boolean onThisMachine(Path machines) {
    if (machines == null) {
      return true;
    }
    try {
      return MachinesFile.allThisMachine(MachinesFile.read(machines, MachinesFile.DEFAULT_DAEMON_PORT));
    } catch (RuntimeException e) {
      return false; // a bad file: launch() reports it
    }
  }

  private static String rendezvousProblem(NiodevRendezvous rendezvous, int np, String what, long waitedMs) {
    if (rendezvous.error() != null) {
      return rendezvous.error();
    }
    if (!rendezvous.complete() && waitedMs > RENDEZVOUS_TIMEOUT_MS) {
      return (np == 1 ? "the " + what : "not all " + np + " " + what) + " reached MPI.Init within "
          + RENDEZVOUS_TIMEOUT_MS / 1000 + "s";
    }
    return null;
  }

  private static List<Integer> allRanks(int np) {
    return IntStream.range(0, np).boxed().toList();
  }

  /** Checks the spec; returns the machines when the ranks go through MPJ daemons, else null. */
  static List<Machine> validate(LaunchSpec spec) {
    if (spec.np() < 1) {
      throw LaunchException.usage("--np must be at least 1, got " + spec.np());
    }
    if (spec.device() == null || !DEVICES.contains(spec.device())) {
      String hint = "mxdev".equals(spec.device()) ? " (mxdev needs Myrinet; lockstep's launcher does not start it)"
          : "";
      throw LaunchException.usage("unknown device '" + spec.device() + "'; expected multicore, niodev or hybdev"
          + hint);
    }
    if (spec.rankArgs() == null || spec.rankArgs().isEmpty()) {
      throw LaunchException.usage("no rank command given (expected e.g. 'train -c FILE.yaml')");
    }
    if (spec.machines() == null) {
      return null;
    }
    List<Machine> machines = MachinesFile.read(spec.machines(), MachinesFile.DEFAULT_DAEMON_PORT);
    if (!spec.device().equals("multicore")) {
      DaemonJob.placement(spec.np(), spec.device(), machines); // too few slots: say so before anything starts
    }
    if (MachinesFile.allThisMachine(machines)) {
      return null; // only this machine: the launcher starts the rank processes itself, no daemons needed
    }
    if (spec.device().equals("multicore")) {
      throw LaunchException.usage("--machines " + spec.machines() + " names other hosts, namespaces or daemon ports;"
          + " multicore runs on this machine only (use --dev niodev or hybdev)");
    }
    return machines;
  }
}

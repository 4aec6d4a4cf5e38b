package dev.lockstep.launch;

import dev.lockstep.metrics.ConsoleMode;
import java.io.OutputStream;
import java.nio.file.Path;
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

  private static int launch(LaunchSpec spec, RankOutput output) {
    try {
      List<Machine> machines = validate(spec);
      MpjHome home = MpjHome.resolve();
      if (machines != null) {
        return new DaemonJob(machines, spec.np(), spec.device(), output)
            .run(home, RankCommands.forThisJvm(home, RankClasspath.ofThisJvm()), List.copyOf(spec.rankArgs()));
      }
      RankCommands commands = RankCommands.forThisJvm(home, RankClasspath.ofThisJvm());
      Path workDir = Path.of(System.getProperty("user.dir"));
      List<String> rankArgs = List.copyOf(spec.rankArgs());
      try (RankProcesses ranks = new RankProcesses(output)) {
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
    } catch (LaunchException e) {
      output.message("lockstep: " + e.getMessage());
      return e.exitCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      output.message("lockstep: interrupted; stopped the ranks");
      return ExitCodes.RANK_FAILED;
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

package dev.lockstep.launch;

import dev.lockstep.comm.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The processes of one job (one multicore JVM, or one JVM per niodev rank) and their supervision: the first process to
 * end badly decides the job's exit code and the others are killed; a job succeeds only when every process exited 0
 * and every rank left its "finished" mark (MPJ's starters exit 0 on some failures, so exit codes alone are not trusted).
 */
final class RankProcesses implements AutoCloseable {
  /** Polling period of the supervisor loop while it waits for exits or a start-up condition. */
  private static final long POLL_MS = 200;

  /** A started process and the ranks it hosts (all of them under multicore, one under niodev). */
  private record Started(String label, Process process, List<Integer> ranks) {}

  private record Exit(Started started, int code) {}

  private final RankOutput output;
  private final Path statusDir;
  private final List<Started> started = new CopyOnWriteArrayList<>(); // a signal handler reads it while it grows
  private final LinkedBlockingQueue<Exit> exits = new LinkedBlockingQueue<>();
  private final Thread killOnShutdown = new Thread(this::destroyAll, "lockstep-kill-ranks");
  private volatile int interruptedBy; // the signal the launcher was stopped with (0: none)
  private volatile String failed; // who ended the job badly, e.g. "rank 1 at step 7"

  RankProcesses(RankOutput output) {
    this.output = output;
    try {
      this.statusDir = Files.createTempDirectory("lockstep-ranks-");
    } catch (IOException e) {
      throw new LaunchException(ExitCodes.RANK_FAILED, "cannot create a temporary directory: " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(killOnShutdown); // the launcher killed: take the ranks with it
  }

  /** Environment every rank process gets (besides the launcher's own). */
  Map<String, String> rankEnvironment(MpjHome home) {
    return Map.of("MPJ_HOME", home.dir().toString(), RankEntry.STATUS_DIR_ENV, statusDir.toString());
  }

  void start(List<String> command, Map<String, String> env, String label, List<Integer> ranks) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Started s;
    try {
      s = new Started(label, output.start(builder, label), List.copyOf(ranks));
    } catch (IOException e) {
      throw new LaunchException(ExitCodes.RANK_FAILED, "cannot start " + label + ": " + e.getMessage(), e);
    }
    started.add(s);
    s.process().onExit().thenAccept(p -> exits.add(new Exit(s, p.exitValue())));
  }

  /** Checked while the job runs (niodev: did every rank reach the rendezvous in time?). */
  interface Health {
    Health ALWAYS = waitedMs -> null;

    /** Why the job must be failed now, after {@code waitedMs} of running; null while it is fine. */
    String problem(long waitedMs);
  }

  /**
   * The launcher was asked to stop ({@code signal}): each process gets a SIGTERM, which its ranks take as a request
   * to stop at the next step boundary (see RankSignals); the job then ends with 128 + {@code signal}.
   */
  void stopGracefully(int signal) {
    interruptedBy = signal;
    for (Started s : started) {
      s.process().destroy(); // SIGTERM
    }
  }

  /** Waits for the job's end and returns its exit code. */
  int await(Health health) throws InterruptedException {
    long startNanos = System.nanoTime();
    int running = started.size();
    while (running > 0) {
      Exit exit = exits.poll(POLL_MS, TimeUnit.MILLISECONDS);
      if (exit != null && interruptedBy != 0 && exit.code() != ExitCodes.OK) { // the ranks stopped together, or
        // were killed; a process that exits 0 finished before the signal reached it, and is judged as usual
        if (!ExitCodes.isInterrupted(exit.code()) && exit.code() < 128) { // it failed on its own: say so
          output.drain();
          failure(exit);
        }
        destroyAll();
        output.drain();
        return 128 + interruptedBy;
      }
      if (exit == null) {
        String problem = health.problem(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        if (problem != null) {
          destroyAll();
          output.drain();
          output.message("lockstep: " + problem);
          return ExitCodes.RANK_FAILED;
        }
        continue;
      }
      running--;
      if (exit.code() != ExitCodes.OK) {
        destroyAll();
        return failure(exit);
      }
      List<Integer> unfinished = unfinished(exit.started().ranks());
      if (!unfinished.isEmpty()) { // exit 0 without finishing: an early System.exit somewhere in MPJ or a task
        destroyAll();
        output.drain();
        output.message("lockstep: " + (unfinished.size() == 1 ? "rank " : "ranks ") + join(unfinished)
            + " ended without finishing (exit code 0 before the rank task returned)");
        return ExitCodes.RANK_FAILED;
      }
    }
    output.drain();
    return ExitCodes.OK;
  }

  private int failure(Exit exit) {
    output.drain();
    int code = exit.code();
    failed = failedRank(exit.started());
    if (ExitCodes.isInterrupted(code)) { // the ranks stopped together (a signal reached them) and rank 0 said where
      return code;
    }
    String stopped = started.size() > 1 ? "; stopped the other ranks" : "";
    String who = "lockstep: " + exit.started().label() + atStep(exit.started());
    if (code > 128) {
      output.message(who + " was killed by signal " + (code - 128) + stopped);
      return ExitCodes.RANK_FAILED;
    }
    if (!ExitCodes.isJobCode(code)) { // e.g. 1: the JVM could not start, or MPJ itself gave up
      output.message(who + " exited with code " + code + stopped);
      return ExitCodes.RANK_FAILED;
    }
    if (!stopped.isEmpty()) { // the rank said why; say what became of the others
      output.message(who + " exited with code " + code + stopped);
    }
    return code;
  }

  /**
   * " at step S" for a process hosting one rank that published its step in the job directory (niodev); the rank
   * threads of a multicore JVM name their own step before the JVM ends.
   */
  private String atStep(Started s) {
    if (s.ranks().size() != 1) {
      return "";
    }
    long step = Progress.stepInFile(statusDir, s.ranks().get(0)).orElse(0);
    return step > 0 ? " at step " + step : "";
  }

  /**
   * Who failed: a rank that left {@code rank-<r>.failed} (RankEntry, before it ended its JVM), else the process's
   * label (a niodev rank killed by a signal leaves nothing), with the step it was at.
   */
  private String failedRank(Started s) {
    if (s.ranks().size() == 1) {
      return s.label() + atStep(s);
    }
    try (Stream<Path> files = Files.list(statusDir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("rank-") && name.endsWith(".failed")) {
          String step = Files.readString(f).trim();
          return "rank " + name.substring(5, name.length() - 7) + (step.equals("0") ? "" : " at step " + step);
        }
      }
    } catch (IOException e) {
      // fall back to the label
    }
    return s.label() + atStep(s);
  }

  /** Who ended the job badly ("rank 1 at step 7"), or null. */
  String failed() {
    return failed;
  }

  /** Rank 0's run directory, as it told the job directory (null before it made one, or without one). */
  Path runDirectory() {
    try {
      Path f = statusDir.resolve(TrainRankTask.RUN_DIR_FILE);
      return Files.isRegularFile(f) ? Path.of(Files.readString(f).trim()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private List<Integer> unfinished(List<Integer> ranks) {
    return ranks.stream().filter(r -> !Files.exists(statusDir.resolve("rank-" + r + ".ok"))).toList();
  }

  private static String join(List<Integer> ranks) {
    return String.join(", ", ranks.stream().map(String::valueOf).toList());
  }

  void destroyAll() {
    for (Started s : started) {
      s.process().descendants().forEach(ProcessHandle::destroyForcibly);
      s.process().destroyForcibly();
    }
    for (Started s : started) {
      try {
        s.process().waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    destroyAll();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnShutdown);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running or ran
    }
    try (Stream<Path> files = Files.list(statusDir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(statusDir);
    } catch (IOException e) {
      // a stray temporary directory is harmless
    }
  }
}

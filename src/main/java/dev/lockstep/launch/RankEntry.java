package dev.lockstep.launch;

import dev.lockstep.comm.MpjCommunicator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The per-rank entry point behind MPJ's starters: {@code Main} comes here when MPJ calls it with its prefix
 * {@code <rank> <size|config> <device> app-args...}. Initialises MPJ, runs the {@link RankTask} the app arguments name
 * ({@code train ...} or {@code --task=<class> ...}), finalises MPJ.
 *
 * <p>Whatever a rank throws ends the whole job with exit code 3 and one line naming the rank (stack trace with
 * {@code LOCKSTEP_DEBUG=1}). Under multicore (and in a hybdev host JVM) that is {@code Runtime.halt}: it is the only
 * way to stop the other rank threads, which may be blocked in MPJ waiting for this one. Under niodev this rank's
 * process exits; the launcher stops the others (the other hosts' JVMs under hybdev). Under MPJ's own starter, which
 * passes on no exit code, {@link MpjStarterExit} makes the starter exit with the rank's code.
 */
public final class RankEntry {
  /**
   * Environment variable naming the job directory: a rank that finished cleanly leaves {@code rank-<r>.ok} there, and
   * rank processes publish their progress in it ({@code rank-<r>.progress}, see {@code comm.Progress}).
   */
  static final String STATUS_DIR_ENV = "LOCKSTEP_RANK_STATUS_DIR";

  /**
   * System property: "stdout" makes a rank print {@link #EXIT_REPORT} with its exit code as its last line. Set by
   * the launcher for ranks that MPJ daemons start: the daemons stream output but pass on no exit code.
   */
  static final String REPORT_PROPERTY = "lockstep.rank.report";
  /** Prefix of the exit report line: {@code @lockstep-rank-exit <rank> <code>}. */
  static final String EXIT_REPORT = "@lockstep-rank-exit";
  /**
   * System property: the launcher's working directory. MPJ's daemon starts ranks in its own working directory, and
   * relative paths (data files, run.out_dir) must mean the same to every rank as to the launcher.
   */
  static final String WORKDIR_PROPERTY = "lockstep.launcher.workdir";

  /** Devices as they appear in args[2]: multicore's ranks arrive as "smpdev". */
  private static final Set<String> THREAD_DEVICES = Set.of("smpdev", "multicore", "hybdev");
  private static final Set<String> PROCESS_DEVICES = Set.of("niodev", "mxdev", "native");

  /** Time a rank that returned a non-zero code leaves its peers to print their own reasons before the job ends. */
  private static final long ORDERLY_FAILURE_GRACE_MS = 500;

  private RankEntry() {}

  /** True for MPJ's per-rank prefix: an integer rank, then size or config, then a device name. */
  public static boolean isMpjRankInvocation(String[] args) {
    if (args == null || args.length < 3 || !isDevice(args[2])) {
      return false;
    }
    try {
      return Integer.parseInt(args[0]) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isDevice(String name) {
    return THREAD_DEVICES.contains(name) || PROCESS_DEVICES.contains(name);
  }

  /** Runs this rank to the end. Returns normally only when the rank succeeded and its siblings are threads. */
  public static void run(String[] args) {
    boolean rankIsThread = THREAD_DEVICES.contains(args[2]);
    String rank = args[0]; // MPJ's rank until MPI.Init tells us the real one
    MpjCommunicator comm = null;
    Optional<MpjStarterExit> starterExit = MpjStarterExit.forRank(rank);
    int code;
    try {
      checkWorkingDirectory();
      String[] appArgs = MpjCommunicator.init(args);
      comm = new MpjCommunicator(MpjCommunicator.DEFAULT_TIMEOUT_SECONDS, args[2], jobDir(),
          MpjCommunicator.ranksInThisJvm(args));
      rank = String.valueOf(comm.rank());
      RankTask task = RankTasks.resolve(appArgs, RankEntry.class.getClassLoader());
      code = task.run(comm, appArgs);
      if (code == ExitCodes.OK) {
        comm.finalizeMpi();
        markFinished(comm.rank());
        starterExit.ifPresent(MpjStarterExit::finished);
      } else if (!ExitCodes.isInterrupted(code)) { // an interrupted rank already agreed with the others and said so
        System.err.println("lockstep: rank " + rank + atStep(comm) + " ended with exit code " + code);
        markFailed(rank, comm);
        pause(ORDERLY_FAILURE_GRACE_MS);
      }
    } catch (RankTasks.UnknownTaskException e) {
      System.err.println("lockstep: rank " + rank + ": " + e.getMessage());
      code = ExitCodes.USAGE;
    } catch (Throwable t) { // everything: an Error in one rank thread must still end the job, not hang it
      reportFailure(rank + atStep(comm), t);
      markFailed(rank, comm);
      code = ExitCodes.RANK_FAILED;
    }
    report(rank, code);
    if (code != ExitCodes.OK) {
      int failure = code;
      starterExit.ifPresent(e -> e.failed(failure));
    }
    end(code, rankIsThread);
  }

  private static void checkWorkingDirectory() {
    String expected = System.getProperty(WORKDIR_PROPERTY);
    Path here = Path.of("").toAbsolutePath().normalize();
    if (expected != null && !Path.of(expected).normalize().equals(here)) {
      throw new IllegalStateException("runs in " + here + " (its MPJ daemon's working directory), the launcher in "
          + expected + ": start the daemons from " + expected + " ('lockstep daemons start' there), so that"
          + " relative paths mean the same on every host");
    }
  }

  private static void report(String rank, int code) {
    if ("stdout".equals(System.getProperty(REPORT_PROPERTY))) {
      System.err.flush();
      System.out.println(EXIT_REPORT + " " + rank + " " + code);
      System.out.flush();
    }
  }

  static Path jobDir() {
    String dir = System.getenv(STATUS_DIR_ENV);
    return dir == null || dir.isBlank() ? null : Path.of(dir);
  }

  /** " at step S" once the rank has begun training (its own published step), else "". */
  private static String atStep(MpjCommunicator comm) {
    long step = comm == null ? 0 : comm.progress().step();
    return step > 0 ? " at step " + step : "";
  }

  private static void end(int code, boolean rankIsThread) {
    System.out.flush();
    System.err.flush();
    if (code != ExitCodes.OK) {
      Runtime.getRuntime().halt(code);
    }
    if (!rankIsThread) {
      System.exit(ExitCodes.OK); // a niodev JVM may keep non-daemon threads alive
    }
  }

  private static void reportFailure(String rank, Throwable t) {
    Throwable cause = unwrap(t);
    System.err.println("lockstep: rank " + rank + " failed: " + describe(cause));
    if ("1".equals(System.getenv("LOCKSTEP_DEBUG"))) {
      cause.printStackTrace();
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof InvocationTargetException || c instanceof ExceptionInInitializerError)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** The message, prefixed by the exception's name where the message alone would not say what happened. */
  static String describe(Throwable t) {
    String message = t.getMessage();
    boolean selfExplaining = t instanceof IllegalArgumentException || t instanceof IllegalStateException
        || t instanceof IOException || t instanceof UncheckedIOException
        || t.getClass() == RuntimeException.class || t.getClass().getName().startsWith("dev.lockstep.");
    if (message == null || message.isBlank()) {
      return t.getClass().getName();
    }
    return selfExplaining ? message : t.getClass().getSimpleName() + ": " + message;
  }

  private static void markFinished(int rank) throws IOException {
    Path dir = jobDir();
    if (dir != null) {
      Files.writeString(dir.resolve("rank-" + rank + ".ok"), "ok\n");
    }
  }

  /** Leaves {@code rank-<r>.failed} (the step it was at) for the launcher: a multicore JVM hosts every rank. */
  private static void markFailed(String rank, MpjCommunicator comm) {
    Path dir = jobDir();
    if (dir != null) {
      try {
        Files.writeString(dir.resolve("rank-" + rank + ".failed"), (comm == null ? 0 : comm.progress().step()) + "\n");
      } catch (IOException | RuntimeException e) {
        // the launcher names the process instead
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

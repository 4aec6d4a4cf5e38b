package dev.lockstep.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Loaded into MPJ's own starter JVM ({@code java -jar $MPJ_HOME/lib/starter.jar ...}) by {@link MpjStarterExit}, so
 * that a failed rank makes the starter exit non-zero. MPJ's starter copies its child JVM's output and returns from
 * {@code main} when the output ends, never reading the child's exit status: the starter would exit 0 whatever the
 * ranks did (mpj-notes.md). This agent adds a shutdown hook to the starter that reads the verdicts the ranks left
 * in a status directory and halts with the failing code: {@code <id>.failed} holds a rank's exit code, and a
 * {@code <id>.running} still there means that rank never finished (System.exit, a signal, the JVM died): code 3.
 *
 * <p>It runs in MPJ's JVM, not in a rank, so it uses the JDK only.
 */
public final class MpjStarterAgent {
  static final String RUNNING = ".running";
  static final String FAILED = ".failed";

  private MpjStarterAgent() {}

  /** Entry point of a dynamically loaded agent ({@code Agent-Class} in lockstep.jar's manifest). */
  public static void agentmain(String statusDir) {
    Path dir = Path.of(statusDir);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!childrenEnded()) {
        return; // a signal ends the starter while its ranks still run (Ctrl-C): its own exit status stands
      }
      int code = verdict(dir, System.err);
      deleteTree(dir);
      if (code != 0) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code); // in a shutdown hook: the only way to change the exit status
      }
    }, "lockstep-mpj-starter-exit"));
  }

  /**
   * Whether the starter's child JVMs have ended, waiting a little for each: after a normal end their output has
   * closed, so they are gone or about to be reaped; a starter stopped by a signal still has them running.
   */
  private static boolean childrenEnded() {
    for (ProcessHandle child : ProcessHandle.current().children().toList()) {
      try {
        child.onExit().get(CHILD_EXIT_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static final long CHILD_EXIT_WAIT_MS = 2000;

  /** The job's exit code from the ranks' verdicts in {@code dir}: 0 when every rank that started finished. */
  static int verdict(Path dir, PrintStream err) {
    int failedCode = 0;
    List<String> unfinished = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(FAILED)) {
          int code = parseCode(Files.readString(f).trim());
          failedCode = failedCode == 0 ? code : failedCode;
        } else if (name.endsWith(RUNNING)) {
          unfinished.add(name.substring(0, name.length() - RUNNING.length()));
        }
      }
    } catch (IOException e) {
      err.println("lockstep: cannot read the ranks' status in " + dir + " (" + e + "): exit code 3");
      return ExitCodes.RANK_FAILED;
    }
    if (failedCode != 0) {
      return failedCode;
    }
    if (!unfinished.isEmpty()) {
      err.println("lockstep: MPJ rank(s) " + String.join(", ", unfinished)
          + " ended without finishing (System.exit, a signal or a crash): exit code 3");
      return ExitCodes.RANK_FAILED;
    }
    return ExitCodes.OK;
  }

  private static int parseCode(String text) {
    try {
      int code = Integer.parseInt(text);
      return code == 0 ? ExitCodes.RANK_FAILED : code;
    } catch (NumberFormatException e) {
      return ExitCodes.RANK_FAILED;
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a leftover status directory in the temp dir is harmless
    }
  }
}

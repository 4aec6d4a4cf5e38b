package dev.lockstep.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the ranks' stdout/stderr and the launcher's own messages go: straight to this process's streams (the normal
 * case: output streams through unbuffered, a terminal stays a terminal), or copied line by line into one stream (tests
 * and tools that capture a job's output).
 */
final class RankOutput {
  private final PrintStream sink; // null: inherit
  private final List<Thread> pumps = new ArrayList<>();

  private RankOutput(PrintStream sink) {
    this.sink = sink;
  }

  static RankOutput inherit() {
    return new RankOutput(null);
  }

  static RankOutput copyTo(OutputStream out) {
    return new RankOutput(
        out instanceof PrintStream ps ? ps : new PrintStream(out, true, Charset.defaultCharset()));
  }

  /**
   * Whether the ranks' stdout ends up on a terminal: only when inherited and this JVM has one (the ranks themselves
   * cannot tell: under multicore their stdout belongs to a child JVM, under niodev to one process per rank).
   */
  boolean reachesTerminal() {
    return sink == null && System.console() != null;
  }

  /** A line from the launcher itself (e.g. which rank failed). */
  void message(String line) {
    if (sink == null) {
      System.err.println(line);
      System.err.flush();
    } else {
      synchronized (sink) {
        sink.println(line);
        sink.flush();
      }
    }
  }

  /** A line of a rank's output that reached the launcher other than through a pipe (from an MPJ daemon). */
  void rankLine(String line) {
    PrintStream to = sink == null ? System.out : sink;
    synchronized (to) {
      to.println(line);
      to.flush();
    }
  }

  Process start(ProcessBuilder builder, String label) throws IOException {
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    if (sink == null) {
      builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
    } else {
      builder.redirectErrorStream(true);
    }
    Process process = builder.start();
    process.getOutputStream().close(); // ranks read no input
    if (sink != null) {
      Thread pump = new Thread(() -> pump(process), "lockstep-output-" + label);
      pump.setDaemon(true);
      pump.start();
      pumps.add(pump);
    }
    return process;
  }

  /** Waits (briefly) until every started process's output has been copied. */
  void drain() {
    for (Thread pump : pumps) {
      try {
        pump.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void pump(Process process) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), Charset.defaultCharset()))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (sink) {
          sink.println(line);
        }
      }
    } catch (IOException e) {
      // the process was destroyed: nothing more to copy
    } finally {
      synchronized (sink) {
        sink.flush();
      }
    }
  }
}

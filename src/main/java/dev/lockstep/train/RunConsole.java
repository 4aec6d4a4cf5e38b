package dev.lockstep.train;

import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.metrics.LiveProgress;
import java.io.PrintStream;

/**
 * What rank 0 prints, by {@link ConsoleMode}: a live bar on a terminal, plain progress lines otherwise, only the
 * summary when quiet, and with --json nothing but the metrics records on stdout (words go to stderr). Other ranks
 * print nothing. Errors are not this class's business: they go to stderr in every mode.
 */
final class RunConsole {
  private final ConsoleMode mode;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean lead;
  private final LiveProgress live;

  RunConsole(ConsoleMode mode, PrintStream out, PrintStream err, boolean lead) {
    this.mode = mode;
    this.out = out;
    this.err = err;
    this.lead = lead;
    this.live = mode == ConsoleMode.LIVE ? new LiveProgress(out) : null;
  }

  /** Where metrics records are mirrored (--json), or null. */
  PrintStream recordMirror() {
    return lead && mode == ConsoleMode.JSON ? out : null;
  }

  /** Run header and evaluation results: shown on a terminal and in plain output. */
  void info(String line) {
    if (lead && (mode == ConsoleMode.LIVE || mode == ConsoleMode.PLAIN)) {
      out.println(line);
      out.flush();
    }
  }

  /** A line every mode shows, on stderr (rank 0 only): e.g. where an interrupted run can be resumed from. */
  void notice(String line) {
    if (lead) {
      out.flush();
      err.println(line);
      err.flush();
    }
  }

  void startEpoch(int epoch, int epochs, long stepsInEpoch) {
    if (lead && live != null) {
      live.startEpoch(epoch, epochs, stepsInEpoch);
    }
  }

  /** Every step (the live bar). */
  void step(double meanLoss, long correct, long rows, double commSeconds) {
    if (lead && live != null) {
      live.step(meanLoss, correct, rows, commSeconds);
    }
  }

  /** Every output.log_every steps (the plain line). */
  void progressLine(String line) {
    if (lead && mode == ConsoleMode.PLAIN) {
      out.println(line);
      out.flush();
    }
  }

  void endEpoch() {
    if (lead && live != null) {
      live.endEpoch();
    }
  }

  /** The final summary: every mode shows it; --json keeps stdout for records, so it goes to stderr there. */
  void summary(String line, java.nio.file.Path runDir) {
    if (!lead) {
      return;
    }
    boolean terse = mode == ConsoleMode.QUIET || mode == ConsoleMode.JSON;
    PrintStream to = mode == ConsoleMode.JSON ? err : out;
    to.println(terse ? line + " | run directory " + runDir : line);
    to.flush();
  }
}

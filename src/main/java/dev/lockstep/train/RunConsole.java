package dev.lockstep.train;

import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.metrics.LiveProgress;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What rank 0 prints, by {@link ConsoleMode}: a live bar on a terminal, plain progress lines otherwise, only the
 * summary when quiet, and with --json nothing but JSON records on stdout (words go to stderr): a start record, the
 * metrics records, a summary record. Other ranks
 * print nothing. Errors are not this class's business: they go to stderr in every mode.
 */
final class RunConsole {
  private static final ObjectMapper JSON = new ObjectMapper();
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

  /**
   * --json only: one record on stdout beside the metrics.jsonl ones, {@code kind} first: "start" (the run directory,
   * before the first step) and "summary" (summary.json's fields, after the last).
   */
  void jsonRecord(String kind, java.nio.file.Path runDir, Map<String, ?> fields) {
    if (!lead || mode != ConsoleMode.JSON) {
      return;
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("kind", kind);
    record.put("run_dir", runDir.toString());
    record.putAll(fields);
    try {
      out.println(JSON.writeValueAsString(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the " + kind + " record: " + e.getMessage(), e);
    }
    out.flush();
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

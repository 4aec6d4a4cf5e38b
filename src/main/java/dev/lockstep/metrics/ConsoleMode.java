package dev.lockstep.metrics;

import java.util.Map;

/**
 * How rank 0 talks to the user. The launcher sees the user's terminal (the ranks' stdout is a pipe or the launcher's
 * inherited stream), so it decides {@link #LIVE} and tells the ranks through {@link #ENV}; {@code --quiet} and
 * {@code --json} arrive as rank arguments and win over it.
 */
public enum ConsoleMode {
  /** A terminal: one progress bar per epoch, redrawn in place. */
  LIVE,
  /** Scripts, CI, files: a plain line every output.log_every steps. */
  PLAIN,
  /** Errors and the final summary only. */
  QUIET,
  /**
   * stdout carries JSON lines only: a start record, the metrics.jsonl records as logged, a summary record; words go to
   * stderr.
   */
  JSON;

  /** Environment variable the launcher sets to {@code live} for ranks whose output reaches a terminal. */
  public static final String ENV = "LOCKSTEP_CONSOLE";

  /** The mode a rank uses, from its flags and the launcher's word in {@code env}. */
  public static ConsoleMode of(boolean quiet, boolean json, Map<String, String> env) {
    if (json) {
      return JSON;
    }
    if (quiet) {
      return QUIET;
    }
    return "live".equals(env.get(ENV)) ? LIVE : PLAIN;
  }

  /** Whether a launcher whose stdout is {@code stdoutIsTerminal} should ask for {@link #LIVE} (TERM=dumb: no). */
  public static boolean liveFor(boolean stdoutIsTerminal, Map<String, String> env) {
    return stdoutIsTerminal && !"dumb".equals(env.get("TERM"));
  }
}

package dev.lockstep.launch;

/** The job's exit codes that scripts rely on (DESIGN §7). */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int USAGE = 2;
  public static final int RANK_FAILED = 3;
  public static final int NO_DEVICE = 4;
  /** Stopped by SIGINT (Ctrl-C) / SIGTERM at a step boundary: 128 + the signal, as shells report it. */
  public static final int SIGINT = 130;
  public static final int SIGTERM = 143;

  private ExitCodes() {}

  /** Codes a rank may end a job with; anything else (a JVM that crashed, a signal) counts as a rank failure. */
  static boolean isJobCode(int code) {
    return code == OK || code == USAGE || code == RANK_FAILED || code == NO_DEVICE || isInterrupted(code);
  }

  static boolean isInterrupted(int code) {
    return code == SIGINT || code == SIGTERM;
  }
}

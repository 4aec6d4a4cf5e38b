package dev.lockstep.cli;

/** The exit codes scripts rely on (DESIGN §7). */
public final class ExitCodes {
  public static final int OK = 0;
  /** A bug in lockstep: an exception nobody turned into a message. */
  public static final int INTERNAL_ERROR = 1;
  /** Bad usage, config or data; nothing was started (or the run stopped before its first step). */
  public static final int USAGE = 2;
  public static final int RANK_FAILED = 3;
  /** A device was demanded (backend.device: cuda) and none is usable. */
  public static final int NO_DEVICE = 4;

  private ExitCodes() {}
}

package dev.lockstep.launch;

/**
 * A launch that cannot start or did not end well, with the one-line message the user sees and the job's exit code
 * (DESIGN §7: 2 bad usage or set-up, 3 a rank failed).
 */
public final class LaunchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public LaunchException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public LaunchException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  static LaunchException usage(String message) {
    return new LaunchException(ExitCodes.USAGE, message);
  }
}

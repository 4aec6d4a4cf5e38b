package dev.lockstep.state;

/**
 * A snapshot that cannot be resumed from: missing, corrupted, truncated, or made by a different model or config.
 * An {@link IllegalArgumentException} because it is bad input (exit code 2), found before anything is written.
 */
public final class SnapshotException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}

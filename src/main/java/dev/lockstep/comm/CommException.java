package dev.lockstep.comm;

/** A collective that failed inside MPJ (not a timeout: those end the job, see {@link MpjCommunicator}). */
public final class CommException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommException(String message, Throwable cause) {
    super(message, cause);
  }
}

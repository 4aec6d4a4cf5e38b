package dev.lockstep.update;

/** The ranks' replicas are not what synchronous training requires; the run must stop. */
public final class ReplicaMismatchException extends RuntimeException {
  public ReplicaMismatchException(String message) {
    super(message);
  }
}

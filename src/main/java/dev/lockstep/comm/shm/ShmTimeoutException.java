package dev.lockstep.comm.shm;

/** A shared-memory collective whose peers did not all arrive before its deadline. */
public final class ShmTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ShmTimeoutException(String message) {
    super(message);
  }
}

package dev.lockstep.train;

/**
 * This rank was asked to stop (SIGINT or SIGTERM reached its JVM; the signal handler sets it from another thread).
 * The training loop reads it at every step boundary and stops only where every rank agrees, so the replicas stay
 * identical: see {@link Trainer}.
 */
public final class StopRequest {
  private volatile int signal; // 0: not asked

  /** Records {@code signal} (2 SIGINT, 15 SIGTERM); true when this is the first request. */
  public synchronized boolean request(int signal) {
    if (this.signal != 0) {
      return false;
    }
    this.signal = signal;
    return true;
  }

  public boolean requested() {
    return signal != 0;
  }

  /** The first signal asked with, or 0. */
  public int signal() {
    return signal;
  }
}

package dev.lockstep.train;

/**
 * Every rank stopped at the same step boundary because a rank was asked to stop (see {@link StopRequest}); the final
 * snapshot, if any, is written and rank 0 has said where. The rank's exit code is 128 + the signal (130, 143).
 */
public final class RunInterrupted extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final int signal;

  RunInterrupted(long step, int signal) {
    super("interrupted at step " + step);
    this.step = step;
    this.signal = signal;
  }

  public long step() {
    return step;
  }

  /** The exit code of an interrupted run: 128 + the signal (SIGTERM when the signal is not known). */
  public int exitCode() {
    return 128 + (signal > 0 ? signal : 15);
  }
}

package dev.lockstep.metrics;

/**
 * Accumulates wall time per phase of a step (compute, communication, wait) for one rank, in nanoseconds.
 * Not thread-safe: one per rank, used from the rank's own thread.
 */
public final class PhaseTimer {
  public enum Phase { COMPUTE, COMMUNICATION, WAIT, OPTIMIZER, EVALUATION }

  private final long[] total = new long[Phase.values().length];
  private final long[] sinceMark = new long[Phase.values().length];

  public void add(Phase phase, long nanos) {
    total[phase.ordinal()] += nanos;
    sinceMark[phase.ordinal()] += nanos;
  }

  public double totalSeconds(Phase phase) {
    return total[phase.ordinal()] / 1e9;
  }

  /** Seconds spent in {@code phase} since the last {@link #mark()}. */
  public double secondsSinceMark(Phase phase) {
    return sinceMark[phase.ordinal()] / 1e9;
  }

  /** Starts a new reporting window (progress lines report per window). */
  public void mark() {
    java.util.Arrays.fill(sinceMark, 0);
  }
}

package dev.lockstep.update;

/** Told of every switch auto makes (rank 0 logs it: a metrics.jsonl event and a console line). */
@FunctionalInterface
public interface ModeSwitchListener {
  /** {@code step}: the run's step at which the new mode takes over; {@code from}/{@code to}: sync or the algorithm. */
  void switched(long step, String from, String to, String reason);
}

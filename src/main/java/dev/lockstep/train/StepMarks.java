package dev.lockstep.train;

/**
 * Every N steps, taken where it can be: {@link #reached} answers true once per multiple of N, at the first offered
 * step at or past it. Evaluations and snapshots within epochs use it with the strategy's agreed step, which in async
 * skips steps (-1 between local SGD's rounds), so a mark is caught at the next point rather than missed.
 */
final class StepMarks {
  private final long every; // 0 = never
  private long passed; // multiples of every passed so far

  StepMarks(long every, long firstStep) {
    this.every = every;
    this.passed = every > 0 ? firstStep / every : 0;
  }

  /** True when {@code step} (-1: not a point at all) has passed a multiple of N not passed before. */
  boolean reached(long step) {
    if (every <= 0 || step < 0 || step / every <= passed) {
      return false;
    }
    passed = step / every;
    return true;
  }
}

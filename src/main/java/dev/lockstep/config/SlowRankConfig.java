package dev.lockstep.config;

/**
 * simulate.slow_ranks[i]: rank {@code rank} computes {@code factor}× slower (it sleeps the difference after each
 * step's backward) during steps [from_step, to_step); to_step 0 = until the end.
 */
public record SlowRankConfig(Integer rank, Double factor, Long fromStep, Long toStep) {
  public SlowRankConfig {
    rank = rank != null ? rank : -1; // required: the validator names it
    factor = factor != null ? factor : 1.0;
    fromStep = fromStep != null ? fromStep : 0L;
    toStep = toStep != null ? toStep : 0L;
  }

  /** Whether the slowdown applies to {@code step} (0-based: the step being computed). */
  public boolean covers(long step) {
    return step >= fromStep && (toStep == 0 || step < toStep);
  }
}

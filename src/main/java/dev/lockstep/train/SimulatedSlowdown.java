package dev.lockstep.train;

import dev.lockstep.config.SlowRankConfig;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * simulate.slow_ranks for one rank: stretches a step's compute to factor× by sleeping the difference, during the
 * configured steps. For tests and demonstrations of stragglers; the sleep counts as compute time.
 */
final class SimulatedSlowdown {
  private final List<SlowRankConfig> mine;

  SimulatedSlowdown(List<SlowRankConfig> all, int rank) {
    this.mine = all.stream().filter(s -> s.rank() == rank).toList();
  }

  /** Sleeps so that a step whose compute took {@code computedNanos} takes factor× as long in all. */
  void stretch(long step, long computedNanos) {
    for (SlowRankConfig s : mine) {
      if (s.covers(step)) {
        long until = System.nanoTime() + (long) ((s.factor() - 1) * computedNanos);
        while (System.nanoTime() < until) {
          LockSupport.parkNanos(until - System.nanoTime());
        }
        return;
      }
    }
  }
}

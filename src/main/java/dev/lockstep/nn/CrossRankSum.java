package dev.lockstep.nn;

/**
 * Sums small per-channel figures over the ranks of a run (an allreduce the trainer provides), for batch norm's
 * statistics. Every rank gets bit-identical sums. Collective: every rank must call it in the same passes.
 */
public interface CrossRankSum {
  /** A single rank: the sum is the rank's own values. */
  CrossRankSum SINGLE = new CrossRankSum() {
    @Override
    public int ranks() {
      return 1;
    }

    @Override
    public void sum(double[] values) {}
  };

  int ranks();

  /** In place: values ← Σ over ranks of values. */
  void sum(double[] values);
}

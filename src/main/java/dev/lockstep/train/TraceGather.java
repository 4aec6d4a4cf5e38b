package dev.lockstep.train;

import dev.lockstep.comm.Communicator;
import dev.lockstep.metrics.Timeline;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings every rank's {@link Timeline} to rank 0 (which owns the run directory) with the collectives the
 * communicator has: an allgather of the span counts, then one SUM-allreduce of a buffer in which each rank fills only
 * its own slice (adding zeros is exact, so rank 0 receives every rank's values bit for bit).
 */
final class TraceGather {
  record Gathered(List<double[]> spansPerRank, boolean truncated) {}

  private TraceGather() {}

  /** Collective: every rank calls it once, at the end of the run. */
  static Gathered gather(Communicator comm, Timeline timeline) {
    double[] counts = comm.allgather(timeline.size());
    double[] truncated = comm.allgather(timeline.truncated() ? 1 : 0);
    int[] offsets = new int[counts.length + 1];
    for (int r = 0; r < counts.length; r++) {
      offsets[r + 1] = offsets[r] + 3 * (int) counts[r];
    }
    double[] all = new double[offsets[counts.length]]; // [Σ spans × (kind, start µs, duration µs)]
    double[] mine = timeline.encode();
    System.arraycopy(mine, 0, all, offsets[comm.rank()], mine.length);
    comm.allreduceSum(all);
    List<double[]> perRank = new ArrayList<>();
    boolean anyTruncated = false;
    for (int r = 0; r < counts.length; r++) {
      perRank.add(java.util.Arrays.copyOfRange(all, offsets[r], offsets[r + 1]));
      anyTruncated |= truncated[r] != 0;
    }
    return new Gathered(perRank, anyTruncated);
  }
}

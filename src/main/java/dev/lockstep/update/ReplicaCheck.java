package dev.lockstep.update;

import dev.lockstep.comm.Communicator;

/** Proves the replicas are what sync training promises: same shapes at the start, bit-identical weights after. */
public final class ReplicaCheck {
  private ReplicaCheck() {}

  /** Every rank's checksum, indexed by rank (one collective). */
  public static long[] gather(Communicator comm, long value) {
    long[] all = new long[comm.size()];
    all[comm.rank()] = value;
    comm.allreduceSum(all);
    return all;
  }

  public static void requireSameParameterCount(Communicator comm, long count) {
    long[] all = gather(comm, count);
    for (int r = 1; r < all.length; r++) {
      if (all[r] != all[0]) {
        throw new ReplicaMismatchException(String.format(
            "model shapes differ: rank 0 has %d parameters, rank %d has %d", all[0], r, all[r]));
      }
    }
  }

  /** Throws naming the ranks whose weight checksum differs from rank 0's. */
  public static void requireIdenticalWeights(Communicator comm, long checksum, long step) {
    long[] all = gather(comm, checksum);
    StringBuilder bad = new StringBuilder();
    for (int r = 1; r < all.length; r++) {
      if (all[r] != all[0]) {
        bad.append(bad.length() == 0 ? "" : ", ").append("rank ").append(r)
            .append(String.format(" (%016x)", all[r]));
      }
    }
    if (bad.length() > 0) {
      throw new ReplicaMismatchException(String.format(
          "replicas diverged at step %d: weights of %s differ from rank 0 (%016x)", step, bad, all[0]));
    }
  }
}

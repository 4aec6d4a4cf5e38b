package dev.lockstep.comm;

import dev.lockstep.launch.RankTask;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Runs inside real MPJ ranks (started by {@link MpjCommunicatorTest}): every collective on inputs each rank derives from
 * (seed, rank), checked against the expected result that every rank can compute on its own. Values are small
 * integers so that float sums are exact in any reduction order. Prints one line per rank; returns 3 on a mismatch.
 *
 * <p>args: {@code --task=<this class> <seed> <length>}
 */
public final class CollectivesCheckTask implements RankTask {
  @Override
  public int run(Communicator comm, String[] args) {
    long seed = Long.parseLong(args[1]);
    int length = Integer.parseInt(args[2]);
    int n = comm.size();
    int r = comm.rank();
    StringBuilder errors = new StringBuilder();

    // allreduce float, offset 0: whole buffer
    float[] mine = floats(seed, r, length);
    float[] expected = new float[length];
    for (int q = 0; q < n; q++) {
      float[] theirs = floats(seed, q, length);
      for (int i = 0; i < length; i++) {
        expected[i] += theirs[i];
      }
    }
    float[] buf = mine.clone();
    comm.allreduceSum(buf, 0, length);
    check(errors, "allreduce float offset 0", Arrays.equals(buf, expected));

    // allreduce float on an odd sub-range: outside the range stays untouched
    int off = 3;
    int len = length - 7;
    buf = mine.clone();
    comm.allreduceSum(buf, off, len);
    float[] want = mine.clone();
    System.arraycopy(expected, off, want, off, len);
    check(errors, "allreduce float offset " + off, Arrays.equals(buf, want));

    // allreduce double and long
    double[] d = {r + 0.5, -2.0 * r, seed % 1000};
    comm.allreduceSum(d);
    double ranksSum = n * (n - 1) / 2.0;
    check(errors, "allreduce double", Arrays.equals(d, new double[] {ranksSum + 0.5 * n, -2 * ranksSum, n * (seed % 1000)}));
    long[] l = {1L << 40 | r, r};
    comm.allreduceSum(l);
    check(errors, "allreduce long", Arrays.equals(l, new long[] {n * (1L << 40) + (long) ranksSum, (long) ranksSum}));

    // broadcast from the last rank, at offset 0 and at an odd offset
    int root = n - 1;
    buf = r == root ? floats(seed, 100, length) : new float[length];
    comm.broadcast(buf, 0, length, root);
    check(errors, "broadcast offset 0", Arrays.equals(buf, floats(seed, 100, length)));
    buf = r == root ? floats(seed, 101, length) : new float[length];
    comm.broadcast(buf, 5, length - 9, root);
    float[] bwant = r == root ? floats(seed, 101, length) : new float[length];
    if (r != root) {
      System.arraycopy(floats(seed, 101, length), 5, bwant, 5, length - 9);
    }
    check(errors, "broadcast offset 5", Arrays.equals(buf, bwant));

    // allgather and barrier
    double[] all = comm.allgather(10.0 * r + 1);
    double[] allWant = new double[n];
    for (int q = 0; q < n; q++) {
      allWant[q] = 10.0 * q + 1;
    }
    check(errors, "allgather", Arrays.equals(all, allWant));
    comm.barrier();

    if (errors.length() > 0) {
      System.out.println("rank " + r + " of " + n + ": MISMATCH in" + errors);
      return 3;
    }
    System.out.println("rank " + r + " of " + n + ": collectives ok");
    return 0;
  }

  private static void check(StringBuilder errors, String what, boolean ok) {
    if (!ok) {
      errors.append(' ').append(what).append(';');
    }
  }

  /** Integer-valued floats in [-1000, 1000] from (seed, who). */
  static float[] floats(long seed, int who, int length) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + who);
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      a[i] = random.nextInt(-1000, 1001);
    }
    return a;
  }
}

package dev.lockstep.comm;

import dev.lockstep.launch.RankTask;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Runs inside real MPJ ranks (started by {@link AllreduceAlgorithmsTest}): for each algorithm named and each length,
 * allreduces fresh random floats (non-integer, so the reduction order matters) from float[] and from a direct
 * FloatBuffer, twice, and checks (a) the result against a float64 reference sum within float tolerance, (b) that
 * both runs gave the same bits, (c) that every rank holds the same bits (checksums exchanged in a long allreduce).
 * Prints one line per rank; returns 3 on any failure.
 *
 * <p>args: {@code --task=<this class> <seed> <alg,alg,...> <length,length,...>}
 */
public final class AllreduceCheckTask implements RankTask {
  @Override
  public int run(Communicator comm, String[] args) {
    long seed = Long.parseLong(args[1]);
    String[] algorithms = args[2].split(",");
    String[] lengths = args[3].split(",");
    MpjCommunicator mpj = (MpjCommunicator) comm;
    int n = comm.size();
    int r = comm.rank();
    StringBuilder errors = new StringBuilder();
    for (String alg : algorithms) {
      mpj.setAlgorithm(alg);
      for (String ls : lengths) {
        int length = Integer.parseInt(ls);
        String what = alg + " length " + length;
        double[] reference = new double[length];
        for (int q = 0; q < n; q++) {
          float[] theirs = floats(seed, q, length);
          for (int i = 0; i < length; i++) {
            reference[i] += theirs[i];
          }
        }
        float[] a = floats(seed, r, length);
        comm.allreduceSum(a, 0, length);
        float[] again = floats(seed, r, length);
        comm.allreduceSum(again, 0, length);
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * (length + 5)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        direct.put(5, floats(seed, r, length), 0, length);
        comm.allreduceSum(direct, 5, length);
        float[] fromDirect = new float[length];
        direct.get(5, fromDirect, 0, length);

        if (!java.util.Arrays.equals(a, again)) {
          errors.append(' ').append(what).append(": two runs differ;");
        }
        if (!java.util.Arrays.equals(a, fromDirect) && !alg.equals("mpj")) {
          errors.append(' ').append(what).append(": FloatBuffer result differs from float[];");
        }
        double tol = 1e-6 * n; // |x| < 1: each of n-1 additions rounds by at most 2^-24 * n
        for (int i = 0; i < length; i++) {
          if (Math.abs(a[i] - reference[i]) > tol) {
            errors.append(' ').append(what).append(": element ").append(i).append(" is ").append(a[i])
                .append(", float64 reference ").append(reference[i]).append(';');
            break;
          }
        }
        long[] sums = new long[n];
        sums[r] = checksum(a);
        comm.allreduceSum(sums);
        for (int q = 0; q < n; q++) {
          if (sums[q] != sums[r]) {
            errors.append(' ').append(what).append(": rank ").append(q).append(" holds other bits;");
            break;
          }
        }
      }
    }
    if (errors.length() > 0) {
      System.out.println("rank " + r + " of " + n + ": MISMATCH" + errors);
      return 3;
    }
    System.out.println("rank " + r + " of " + n + ": allreduce ok");
    return 0;
  }

  /** Uniform in (-1, 1), from (seed, who). */
  static float[] floats(long seed, int who, int length) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + who);
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    return a;
  }

  /** Exact bits, order-sensitive; a per-rank value that fits a long SUM without overflow concerns (wraps equally). */
  static long checksum(float[] a) {
    long h = 1125899906842597L;
    for (float v : a) {
      h = 31 * h + Float.floatToRawIntBits(v);
    }
    return h & 0x3fffffffffffffL; // small enough that the SUM of n copies never wraps in comparisons
  }
}

package dev.lockstep.comm;

import dev.lockstep.launch.RankTask;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Runs inside real MPJ ranks (started by {@link CompressedAllreduceTest}): for each algorithm, compression and
 * length, allreduces fresh random floats — of ordinary size, and for fp16 also huge (1e8, far beyond fp16's 65504)
 * and tiny (1e-6) ones — from float[] and from a direct FloatBuffer, and checks (a) the exact bits of the definition
 * in {@link Compression} (each rank's value rounded, a float32 sum in rank order, the sum rounded), computed here from
 * every rank's inputs with the conversions alone; (b) the float64 sum within the format's rounding; (c) no
 * overflow; (d) every rank holds the same bits. Prints one line per rank; returns 3 on any failure.
 *
 * <p>args: {@code --task=<this class> <seed> <alg,alg,...> <length,length,...>}
 */
public final class CompressedAllreduceCheckTask implements RankTask {
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
      for (Compression c : new Compression[] {Compression.BF16, Compression.FP16}) {
        for (double magnitude : c == Compression.FP16 ? new double[] {1, 1e8, 1e-6} : new double[] {1, 1e30}) {
          for (String ls : lengths) {
            int length = Integer.parseInt(ls);
            String what = alg + " " + c + " magnitude " + magnitude + " length " + length;
            check(comm, c, seed, magnitude, length, what, errors);
          }
        }
      }
    }
    if (errors.length() > 0) {
      System.out.println("rank " + r + " of " + n + ": MISMATCH" + errors);
      return 3;
    }
    System.out.println("rank " + r + " of " + n + ": compressed allreduce ok");
    return 0;
  }

  private static void check(Communicator comm, Compression c, long seed, double magnitude, int length, String what,
                            StringBuilder errors) {
    int n = comm.size(), r = comm.rank();
    float[][] all = new float[n][];
    double max = 0;
    for (int q = 0; q < n; q++) {
      all[q] = floats(seed, q, length, magnitude);
      for (float v : all[q]) {
        max = Math.max(max, Math.abs(v));
      }
    }
    // The definition: s = the power of two with N · max · s < 2^15 <= N · max · 2s (fp16), else 1.
    float s = c == Compression.FP16 && max > 0 ? (float) Math.scalb(1.0, 14 - Math.getExponent(n * max)) : 1f;
    float[] exact = new float[length];
    double[] reference = new double[length];
    double[] absSum = new double[length];
    for (int i = 0; i < length; i++) {
      float sum = 0;
      for (int q = 0; q < n; q++) {
        float contribution = c.decode(c.encode(all[q][i] * s));
        sum = q == 0 ? contribution : sum + contribution;
        reference[i] += all[q][i];
        absSum[i] += Math.abs(all[q][i]);
      }
      exact[i] = c.decode(c.encode(sum)) / s;
    }

    float[] a = all[r].clone();
    comm.allreduceSum(a, 0, length, c);
    FloatBuffer direct = ByteBuffer.allocateDirect(4 * (length + 3)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    direct.put(3, all[r], 0, length);
    comm.allreduceSum(direct, 3, length, c);
    float[] fromDirect = new float[length];
    direct.get(3, fromDirect, 0, length);

    if (!java.util.Arrays.equals(a, exact)) {
      int i = firstDifference(a, exact);
      errors.append(' ').append(what).append(": element ").append(i).append(" is ").append(a[i])
          .append(", by the definition ").append(exact[i]).append(';');
    }
    if (!java.util.Arrays.equals(a, fromDirect)) {
      errors.append(' ').append(what).append(": FloatBuffer result differs from float[];");
    }
    // Each input and the sum rounded once: relative 2^-9 (bf16) / 2^-12 (fp16) each; fp16 also flushes below 2^-25/s.
    double u = c == Compression.FP16 ? 0x1p-11 : 0x1p-8;
    double floor = c == Compression.FP16 ? n * Math.scalb(1.0, -24) / s : 0;
    for (int i = 0; i < length; i++) {
      double bound = u * (absSum[i] + Math.abs(reference[i])) * 1.01 + floor;
      if (!Float.isFinite(a[i]) || Math.abs(a[i] - reference[i]) > bound) {
        errors.append(' ').append(what).append(": element ").append(i).append(" is ").append(a[i])
            .append(", float64 sum ").append(reference[i]).append(" (bound ").append(bound).append(");");
        break;
      }
    }
    long[] sums = new long[n];
    sums[r] = AllreduceCheckTask.checksum(a);
    comm.allreduceSum(sums);
    for (int q = 0; q < n; q++) {
      if (sums[q] != sums[r]) {
        errors.append(' ').append(what).append(": rank ").append(q).append(" holds other bits;");
        break;
      }
    }
  }

  private static int firstDifference(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Uniform in (-magnitude, magnitude), a few per thousand 1000× smaller (gradients span binades), from (seed, who). */
  static float[] floats(long seed, int who, int length, double magnitude) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + who);
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      double v = random.nextDouble(-1, 1) * magnitude;
      a[i] = (float) (random.nextInt(1000) < 3 ? v / 1000 : v);
    }
    return a;
  }
}

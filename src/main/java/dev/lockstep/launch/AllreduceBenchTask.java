package dev.lockstep.launch;

import dev.lockstep.comm.CommAlgorithm;
import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.Compression;
import dev.lockstep.comm.MpjCommunicator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The rank side of {@code lockstep bench allreduce}: times float SUM allreduces of each size with each algorithm
 * and rank 0 prints one table row per size, with a column pair (median ms, GB/s) per algorithm and, last, the
 * algorithm {@code auto} picks at that size. One repetition = barrier, then the allreduce; its time is the slowest
 * rank's (all ranks' times are exchanged after the loop, outside the timing). Reports the median and the
 * algorithm bandwidth (message bytes / time).
 *
 * <p>With compressions other than none ({@code comm.compression}), each algorithm gets a column per compression
 * ({@code ring/bf16}: 16-bit payloads, see {@link Compression}); the bandwidth still counts float32 message bytes, so
 * columns compare directly.
 *
 * <p>args: {@code --task=<this class> <bytes,bytes,...> <alg,alg,...> [none,bf16,fp16]}
 */
public final class AllreduceBenchTask implements RankTask {
  /** About this many bytes are reduced per (size, algorithm) pair, within [MIN_REPS, MAX_REPS] repetitions. */
  private static final long BYTES_PER_PAIR = 256L << 20;
  private static final int MIN_REPS = 7;
  private static final int MAX_REPS = 100;
  /**
   * Warm-up: about this many bytes, within [MIN_WARMUP, MAX_WARMUP] repetitions: small messages need many calls
   * before the JIT has compiled their path (MPJ's is warm already from the barriers between repetitions).
   */
  private static final long WARMUP_BYTES = 32L << 20;
  private static final int MIN_WARMUP = 3;
  private static final int MAX_WARMUP = 1000;

  /**
   * After the compressions: print one JSON object per (size, algorithm, compression) instead of the table; the next
   * argument names the device.
   */
  public static final String JSON = "--json";

  @Override
  public int run(Communicator comm, String[] args) {
    MpjCommunicator mpj = (MpjCommunicator) comm;
    long[] sizes = Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray();
    List<String> algorithms = List.of(args[2].split(","));
    int at = 3; // then: [compressions] [--json device]
    List<Compression> compressions = args.length > at && !args[at].equals(JSON)
        ? Arrays.stream(args[at++].split(",")).map(Compression::parse).toList() : List.of(Compression.NONE);
    List<String> columns = new ArrayList<>(); // "alg" or "alg/bf16"
    for (String alg : algorithms) {
      for (Compression c : compressions) {
        columns.add(c == Compression.NONE ? alg : alg + "/" + c.configName());
      }
    }
    boolean json = args.length > at && args[at].equals(JSON);
    String device = json && args.length > at + 1 ? args[at + 1] : null;
    boolean lead = comm.rank() == 0;
    if (lead && !json) {
      System.out.printf(Locale.ROOT, "allreduce float32 SUM, np=%d; median ms of the slowest rank per repetition, "
          + "GB/s = float32 message bytes / median%n", comm.size());
      StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-8s", "size"));
      for (String col : columns) {
        head.append(String.format(Locale.ROOT, " %" + msWidth(col) + "s %6s", col + " ms", "GB/s"));
      }
      System.out.println(head.append(String.format(Locale.ROOT, " %5s  %s", "reps", "auto picks")));
    }
    for (long bytes : sizes) {
      int floats = Math.toIntExact(Math.max(1, bytes / Float.BYTES));
      float[] buf = new float[floats];
      float[] init = randomFloats(comm.rank(), floats);
      int reps = (int) Math.max(MIN_REPS, Math.min(MAX_REPS, BYTES_PER_PAIR / Math.max(1, bytes)));
      int warmup = (int) Math.max(MIN_WARMUP, Math.min(MAX_WARMUP, WARMUP_BYTES / Math.max(1, bytes)));
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-8s", human(bytes)));
      for (int col = 0; col < columns.size(); col++) {
        String alg = algorithms.get(col / compressions.size());
        Compression compression = compressions.get(col % compressions.size());
        mpj.setAlgorithm(alg);
        double[] seconds = new double[reps];
        for (int i = -warmup; i < reps; i++) {
          System.arraycopy(init, 0, buf, 0, floats); // same input each time: sums stay finite
          comm.barrier();
          long t0 = System.nanoTime();
          comm.allreduceSum(buf, 0, floats, compression);
          long t = System.nanoTime() - t0;
          if (i >= 0) {
            seconds[i] = t / 1e9;
          }
        }
        double median = medianOfSlowest(comm, seconds);
        if (lead && json) {
          mpj.setAlgorithm(CommAlgorithm.AUTO.configName());
          System.out.printf(Locale.ROOT, "{\"kind\":\"allreduce\",\"np\":%d,\"device\":\"%s\",\"bytes\":%d,"
                  + "\"algorithm\":\"%s\",\"compression\":\"%s\",\"median_ms\":%s,\"gb_per_s\":%s,\"reps\":%d,"
                  + "\"auto_picks\":\"%s\"}%n",
              comm.size(), device, (long) floats * Float.BYTES, alg, compression.configName(), median * 1e3,
              (double) floats * Float.BYTES / median / 1e9, reps, mpj.algorithmFor(floats).configName());
          System.out.flush();
        }
        row.append(String.format(Locale.ROOT, " %" + msWidth(columns.get(col)) + ".3f %6.2f", median * 1e3,
            (double) floats * Float.BYTES / median / 1e9));
      }
      mpj.setAlgorithm(CommAlgorithm.AUTO.configName());
      if (lead && !json) {
        System.out.println(row.append(String.format(Locale.ROOT, " %5d  %s", reps,
            mpj.algorithmFor(floats).configName())));
        System.out.flush();
      }
    }
    return 0;
  }

  /** Width of an algorithm's "ms" column: its header, and at least "12345.678". */
  private static int msWidth(String alg) {
    return Math.max(9, alg.length() + 3);
  }

  /** Median over repetitions of the slowest rank's time (per-repetition max across ranks). */
  private static double medianOfSlowest(Communicator comm, double[] seconds) {
    double[] slowest = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      double[] all = comm.allgather(seconds[i]);
      slowest[i] = Arrays.stream(all).max().orElseThrow();
    }
    Arrays.sort(slowest);
    int m = slowest.length / 2;
    return slowest.length % 2 == 1 ? slowest[m] : (slowest[m - 1] + slowest[m]) / 2;
  }

  private static float[] randomFloats(int rank, int n) {
    SplittableRandom random = new SplittableRandom(rank + 1);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    return a;
  }

  /** 4096 → 4K, 7444889 → 7.1M. */
  static String human(long bytes) {
    String[] units = {"", "K", "M", "G"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + units[u];
  }

  /**
   * The algorithms worth timing: shm where every rank shares this JVM, shm_process where they are processes of
   * this host (not with a machines file: its ranks may run elsewhere, where shm_process is refused).
   */
  public static List<String> algorithmsFor(boolean sharedMemory, boolean machinesFile) {
    List<String> list = new ArrayList<>();
    if (sharedMemory) {
      list.add(CommAlgorithm.SHM.configName());
    } else if (!machinesFile) {
      list.add(CommAlgorithm.SHM_PROCESS.configName());
    }
    list.add(CommAlgorithm.RING.configName());
    list.add(CommAlgorithm.MPJ.configName());
    return list;
  }
}

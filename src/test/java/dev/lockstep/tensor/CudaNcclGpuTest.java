package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NCCL through the JavaCPP presets on the device machine: a one-rank communicator on GPU 0 (the sum of one rank
 * is the buffer itself), and, where the machine has two GPUs or more, ranks as threads (as under multicore) whose
 * sum must equal a float64 reference and be bit-identical on every rank. Skips where libnccl is not installed.
 */
@Tag("gpu")
class CudaNcclGpuTest {
  private static void assumeNccl() {
    CudaTestSupport.assumeGpu();
    assumeTrue(CudaNccl.unavailableReason().isEmpty(), () -> "NCCL: " + CudaNccl.unavailableReason().get());
  }

  @Test
  void oneRankCommunicatorLeavesTheBufferAsItIs() {
    assumeNccl();
    SplittableRandom rng = CudaTestSupport.freshRandom("nccl one rank");
    try (CudaBackend be = CudaBackend.create(0, false); CudaNccl nccl = CudaNccl.join(be, 0, 1, CudaNccl.uniqueId())) {
      System.out.println("nccl: " + nccl.describe());
      float[] data = CudaTestSupport.uniform(rng, 100_003, -1, 1);
      CudaBuf b = CudaTestSupport.put(be, data);
      nccl.sumInPlace(b.view(3, 100_000));
      assertThat(CudaTestSupport.get(be, b)).isEqualTo(data);
    }
  }

  @Test
  void ranksOnTheirOwnGpusGetTheSameSumOnEveryRank() throws Exception {
    assumeNccl();
    int ranks = CudaBackend.deviceCount();
    assumeTrue(ranks >= 2, "one GPU: NCCL cannot group ranks on it (the trainer takes the host path)");
    SplittableRandom rng = CudaTestSupport.freshRandom("nccl ranks");
    int n = 1 << 20;
    float[][] data = new float[ranks][];
    double[] ref = new double[n];
    for (int r = 0; r < ranks; r++) {
      data[r] = CudaTestSupport.uniform(rng, n, -1, 1);
      for (int i = 0; i < n; i++) {
        ref[i] += data[r][i];
      }
    }
    byte[] id = CudaNccl.uniqueId();
    ExecutorService pool = Executors.newFixedThreadPool(ranks);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        results.add(pool.submit(() -> {
          try (CudaBackend be = CudaBackend.create(rank, false); CudaNccl nccl = CudaNccl.join(be, rank, ranks, id)) {
            CudaBuf b = CudaTestSupport.put(be, data[rank]);
            nccl.sumInPlace(b);
            return CudaTestSupport.get(be, b);
          }
        }));
      }
      float[] first = results.get(0).get();
      for (int i = 0; i < n; i++) {
        assertThat(Math.abs(first[i] - ref[i])).as("element %d", i).isLessThanOrEqualTo(1e-5 * Math.max(1, ranks));
      }
      for (Future<float[]> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

package dev.lockstep.comm.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared-memory collectives among plain threads of this JVM (the multicore path is in AllreduceAlgorithmsTest). */
class SharedMemoryGroupTest {
  private static final long SECONDS = 1_000_000_000L;

  interface RankBody {
    Object run(SharedMemoryGroup.Member m) throws Exception;
  }

  /** Runs body on n threads, one per rank of a fresh group; returns each rank's result. */
  static List<Object> onRanks(int n, RankBody body) throws Exception {
    String key = "test-" + UUID.randomUUID();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Object>> futures = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          try (SharedMemoryGroup.Member m = SharedMemoryGroup.join(key, n, rank)) {
            return body.run(m);
          }
        }));
      }
      List<Object> results = new ArrayList<>();
      for (Future<Object> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest(name = "np={0} length={1}")
  @CsvSource({"2, 1", "2, 7", "3, 1001", "4, 8192", "3, 8193", "2, 1048579", "4, 1048579"})
  void sumsInRankOrderGivingTheSameBitsOnEveryRank(int n, int length) throws Exception {
    long seed = ThreadLocalRandom.current().nextLong();
    float[][] inputs = new float[n][];
    for (int r = 0; r < n; r++) {
      inputs[r] = random(seed + r, length);
    }
    float[] rankOrder = inputs[0].clone(); // the promised order: ((x0 + x1) + x2) + ...
    double[] exact = new double[length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < length; i++) {
        if (r > 0) {
          rankOrder[i] += inputs[r][i];
        }
        exact[i] += inputs[r][i];
      }
    }
    // odd ranks reduce a direct FloatBuffer at an offset, even ranks a float[] at another offset
    List<Object> results = onRanks(n, m -> {
      float[] out = new float[length];
      if (m.rank() % 2 == 1) {
        FloatBuffer fb = ByteBuffer.allocateDirect(4 * (length + 3)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        fb.put(3, inputs[m.rank()], 0, length);
        m.allreduceSum(fb, 3, length, System.nanoTime() + 30 * SECONDS);
        fb.get(3, out, 0, length);
      } else {
        float[] buf = new float[length + 5];
        System.arraycopy(inputs[m.rank()], 0, buf, 5, length);
        m.allreduceSum(buf, 5, length, System.nanoTime() + 30 * SECONDS);
        System.arraycopy(buf, 5, out, 0, length);
      }
      return out;
    });
    for (Object result : results) {
      assertThat((float[]) result).as("seed %d", seed).isEqualTo(rankOrder);
    }
    for (int i = 0; i < length; i++) {
      assertThat((double) rankOrder[i]).isCloseTo(exact[i], org.assertj.core.data.Offset.offset(1e-6 * n));
    }
  }

  @Test
  void broadcastCopiesTheRootsRangeOnly() throws Exception {
    float[] source = random(7, 1001);
    List<Object> results = onRanks(3, m -> {
      float[] buf = m.rank() == 1 ? source.clone() : new float[1001];
      m.broadcast(buf, 2, 990, 1, System.nanoTime() + 30 * SECONDS);
      return buf;
    });
    float[] want = new float[1001];
    System.arraycopy(source, 2, want, 2, 990);
    assertThat((float[]) results.get(0)).isEqualTo(want);
    assertThat((float[]) results.get(1)).isEqualTo(source);
    assertThat((float[]) results.get(2)).isEqualTo(want);
  }

  @Test
  void aRankThatNeverArrivesFailsTheOthersAtTheDeadline() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> onRanks(2, m -> {
      if (m.rank() == 0) {
        m.allreduceSum(new float[100_000], 0, 100_000, System.nanoTime() + SECONDS / 5);
      }
      return null; // rank 1 never calls
    })).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ShmTimeoutException.class)
        .hasMessageContaining("allreduce: 1 of 2 ranks did not arrive before the deadline");
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(10);
  }

  @Test
  void differentLengthsAreAnErrorOnEveryRank() {
    assertThatThrownBy(() -> onRanks(2, m -> {
      int length = m.rank() == 0 ? 10 : 11;
      m.allreduceSum(new float[11], 0, length, System.nanoTime() + 30 * SECONDS);
      return null;
    })).cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("passed");
  }

  @Test
  void joiningTwiceOrWithAnotherSizeIsRefused() {
    String key = "test-" + UUID.randomUUID();
    try (SharedMemoryGroup.Member m = SharedMemoryGroup.join(key, 2, 0)) {
      assertThatThrownBy(() -> SharedMemoryGroup.join(key, 2, 0)).hasMessageContaining("joined twice");
      assertThatThrownBy(() -> SharedMemoryGroup.join(key, 3, 1)).hasMessageContaining("has 2 ranks, not 3");
    }
  }

  @Test
  void chunksAreAlignedAndCoverTheBufferInOrder() {
    for (int n = 1; n <= 5; n++) {
      for (int length : new int[] {0, 1, 15, 17, 1001, 1 << 20}) {
        int prev = 0;
        assertThat(SharedMemoryGroup.chunkStart(0, n, length)).isZero();
        for (int c = 1; c <= n; c++) {
          int start = SharedMemoryGroup.chunkStart(c, n, length);
          assertThat(start).isBetween(prev, length);
          assertThat(start == length || start % SharedMemoryGroup.ALIGN == 0).isTrue();
          prev = start;
        }
        assertThat(prev).isEqualTo(length);
      }
    }
  }

  private static float[] random(long seed, int length) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    return a;
  }
}

package dev.lockstep.comm.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared-segment collectives with one thread per rank, each mapping the segment file itself as a rank process
 * would (create / open / unlink), so the whole protocol runs on real shared mappings. Small pieces force several
 * pieces per message, ragged last pieces and empty chunks. (Real rank processes: AllreduceAlgorithmsTest.)
 */
class SegmentCollectivesTest {
  private static final int[] LENGTHS = {1, 7, 16, 17, 1001, 4099, 20_011};
  private static final int PIECE = 1000; // floats: 20_011 takes 21 pieces at np=2

  @TempDir
  Path dir;

  @ParameterizedTest(name = "np={0}")
  @ValueSource(ints = {2, 3, 4})
  void allreduceIsTheSumInRankOrderWithTheSameBitsOnEveryRank(int np) throws Exception {
    long seed = ThreadLocalRandom.current().nextLong();
    List<float[][]> results = runRanks(np, (c, rank) -> {
      float[][] out = new float[2 * LENGTHS.length][];
      for (int i = 0; i < LENGTHS.length; i++) {
        int n = LENGTHS[i];
        float[] a = new float[n + 3]; // at offset 3, to check the range is respected
        float[] mine = floats(seed, rank, n);
        System.arraycopy(mine, 0, a, 3, n);
        a[0] = a[1] = a[2] = 42f;
        c.allreduceSum(a, 3, n, deadline());
        assertThat(Arrays.copyOf(a, 3)).as("outside the range").containsExactly(42f, 42f, 42f);
        out[2 * i] = Arrays.copyOfRange(a, 3, n + 3);

        FloatBuffer direct = ByteBuffer.allocateDirect(4 * (n + 5)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        direct.put(5, mine, 0, n);
        c.allreduceSum(direct, 5, n, deadline());
        out[2 * i + 1] = new float[n];
        direct.get(5, out[2 * i + 1], 0, n);
      }
      return out;
    });
    for (int i = 0; i < LENGTHS.length; i++) {
      int n = LENGTHS[i];
      float[] expected = new float[n]; // rank order 0..N-1, in float: what every rank must hold, bit for bit
      double[] exact = new double[n];
      for (int q = 0; q < np; q++) {
        float[] theirs = floats(seed, q, n);
        for (int k = 0; k < n; k++) {
          expected[k] = q == 0 ? theirs[k] : expected[k] + theirs[k];
          exact[k] += theirs[k];
        }
      }
      for (int k = 0; k < n; k++) {
        assertThat((double) expected[k]).as("seed %d", seed).isCloseTo(exact[k], org.assertj.core.data.Offset
            .offset(1e-6 * np));
      }
      for (int r = 0; r < np; r++) {
        assertThat(results.get(r)[2 * i]).as("seed %d, length %d, rank %d, float[]", seed, n, r)
            .containsExactly(expected);
        assertThat(results.get(r)[2 * i + 1]).as("seed %d, length %d, rank %d, FloatBuffer", seed, n, r)
            .containsExactly(expected);
      }
    }
  }

  @ParameterizedTest(name = "np={0}")
  @ValueSource(ints = {2, 3})
  void broadcastCopiesTheRootsRangeToEveryRank(int np) throws Exception {
    long seed = ThreadLocalRandom.current().nextLong();
    int n = 2 * PIECE + 13;
    int root = np - 1;
    List<float[][]> results = runRanks(np, (c, rank) -> {
      float[] a = floats(seed, rank, n + 2);
      float[] before = a.clone();
      c.broadcast(a, 2, n, root, deadline());
      c.allreduceSum(new float[5], 0, 5, deadline()); // an allreduce right after must not disturb it
      return new float[][] {a, before};
    });
    float[] rootData = floats(seed, root, n + 2);
    for (int r = 0; r < np; r++) {
      float[] a = results.get(r)[0];
      assertThat(Arrays.copyOfRange(a, 2, n + 2)).as("seed %d rank %d", seed, r)
          .containsExactly(Arrays.copyOfRange(rootData, 2, n + 2));
      assertThat(Arrays.copyOf(a, 2)).containsExactly(Arrays.copyOf(results.get(r)[1], 2));
    }
  }

  @Test
  void aFileOfAnotherSegmentIsRefusedAndUnlinkRemovesTheName() throws Exception {
    Path file = dir.resolve("seg");
    int region = SegmentCollectives.regionFloatsFor(2, PIECE);
    SharedSegment zero = SharedSegment.create(file, 2, region, 1234L);
    assertThatThrownBy(() -> SharedSegment.open(file, 2, 1, region, 999L)).isInstanceOf(IOException.class)
        .hasMessageContaining("is not the segment rank 0 created");
    assertThatThrownBy(() -> SharedSegment.open(file, 2, 1, region + 16, 1234L)).isInstanceOf(IOException.class)
        .hasMessageContaining("expected");
    assertThatThrownBy(() -> SharedSegment.create(file, 2, region, 5L)).isInstanceOf(IOException.class);
    SharedSegment one = SharedSegment.open(file, 2, 1, region, 1234L);
    zero.unlink();
    assertThat(file).doesNotExist();
    one.region(0).put(0, 7f); // the mappings outlive the name
    assertThat(zero.region(0).get(0)).isEqualTo(7f);
  }

  @Test
  void aRankThatNeverArrivesEndsTheWaitAtTheDeadline() throws Exception {
    Path file = dir.resolve("seg");
    SharedSegment zero = SharedSegment.create(file, 2, SegmentCollectives.regionFloatsFor(2, PIECE), 1L);
    SegmentCollectives c = new SegmentCollectives(zero);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> c.allreduceSum(new float[100], 0, 100, System.nanoTime() + 50_000_000L))
        .isInstanceOf(ShmTimeoutException.class).hasMessageContaining("rank 1 did not reach");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    assertThatThrownBy(() -> c.allreduceSum(new float[100], 0, 100, deadline()))
        .isInstanceOf(ShmTimeoutException.class).hasMessageContaining("broken");
  }

  private interface RankBody {
    float[][] run(SegmentCollectives c, int rank) throws Exception;
  }

  /** Runs {@code body} on np threads, each a rank with its own mapping of one segment file. */
  private List<float[][]> runRanks(int np, RankBody body) throws Exception {
    Path file = dir.resolve("seg-" + np);
    int region = SegmentCollectives.regionFloatsFor(np, PIECE);
    long nonce = ThreadLocalRandom.current().nextLong();
    SharedSegment zero = SharedSegment.create(file, np, region, nonce);
    ExecutorService pool = Executors.newFixedThreadPool(np);
    try {
      List<Future<float[][]>> futures = new ArrayList<>();
      for (int r = 0; r < np; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          SharedSegment s = rank == 0 ? zero : SharedSegment.open(file, np, rank, region, nonce);
          return body.run(new SegmentCollectives(s), rank);
        }));
      }
      List<float[][]> results = new ArrayList<>();
      for (Future<float[][]> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      zero.unlink();
      assertThat(Files.exists(file)).isFalse();
    }
  }

  private static long deadline() {
    return System.nanoTime() + 30_000_000_000L;
  }

  private static float[] floats(long seed, int rank, int n) {
    SplittableRandom random = new SplittableRandom(seed * 31 + rank);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    return a;
  }
}

package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardedBatchesTest {
  private final Random random = new Random();

  /** Rows and labels of a batch, checked against the dataset row by row. */
  private static void assertBatchHoldsItsSamples(Batch b, Dataset ds) {
    for (int k = 0; k < b.rows(); k++) {
      int i = b.indices()[k];
      assertThat(b.labels()[k]).isEqualTo(ds.labels()[i]);
      assertThat(Arrays.copyOfRange(b.x(), k * ds.width(), (k + 1) * ds.width()))
          .isEqualTo(Arrays.copyOfRange(ds.features(), i * ds.width(), (i + 1) * ds.width()));
    }
  }

  /** All batches of one epoch as arrays of sample indices. */
  private static List<int[]> epoch(ShardedBatches batches, Dataset ds, int epoch) {
    List<int[]> steps = new ArrayList<>();
    Batch b = Batch.forDataset(ds, batches.batchPerRank());
    batches.startEpoch(epoch);
    while (batches.next(b)) {
      assertThat(b.rows()).isEqualTo(batches.batchPerRank());
      assertBatchHoldsItsSamples(b, ds);
      steps.add(Arrays.copyOf(b.indices(), b.rows()));
    }
    return steps;
  }

  @Test
  void nRanksWithBatchBSeeWhatOneRankWithBatchNBSees() {
    int width = 3;
    for (int ranks : new int[] {2, 3}) {
      for (int trial = 0; trial < 4; trial++) {
        long seed = random.nextLong();
        int b = 1 + random.nextInt(5);
        int n = ranks * b * (2 + random.nextInt(4)) + random.nextInt(ranks * b); // usually a ragged tail
        Dataset ds = SyntheticData.random(n, width, 5, random);
        for (boolean shuffle : new boolean[] {true, false}) {
          for (int epoch : new int[] {0, 1, 7}) {
            List<int[]> single = epoch(new ShardedBatches(ds, 0, 1, ranks * b, seed, shuffle), ds, epoch);
            List<List<int[]>> perRank = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
              perRank.add(epoch(new ShardedBatches(ds, r, ranks, b, seed, shuffle), ds, epoch));
            }

            assertThat(single).hasSize(n / (ranks * b));
            for (int s = 0; s < single.size(); s++) {
              int[] union = new int[0];
              for (int r = 0; r < ranks; r++) {
                assertThat(perRank.get(r)).hasSize(single.size());
                int[] rankBatch = perRank.get(r).get(s);
                union = concat(union, rankBatch);
              }
              assertThat(union)
                  .as("ranks=%d B=%d n=%d seed=%d shuffle=%s epoch=%d step=%d", ranks, b, n, seed, shuffle, epoch, s)
                  .isEqualTo(single.get(s));
            }
          }
        }
      }
    }
  }

  @Test
  void epochCoversDistinctSamplesAndDropsOnlyTheTail() {
    int n = 103;
    long seed = random.nextLong();
    Dataset ds = SyntheticData.random(n, 2, 3, random);
    ShardedBatches batches = new ShardedBatches(ds, 0, 1, 10, seed, true);
    assertThat(batches.stepsPerEpoch()).isEqualTo(10);
    int[] seen = epoch(batches, ds, 0).stream().flatMapToInt(Arrays::stream).toArray();
    int[] order = new EpochOrder(n, seed, true).of(0);
    assertThat(seen).doesNotHaveDuplicates().isEqualTo(Arrays.copyOf(order, 100));
  }

  @Test
  void rankBatchIsItsSliceOfTheEpochOrder() {
    long seed = random.nextLong();
    int n = 50;
    Dataset ds = SyntheticData.random(n, 2, 3, random);
    int[] order = new EpochOrder(n, seed, true).of(2);
    ShardedBatches rank1 = new ShardedBatches(ds, 1, 3, 4, seed, true);
    List<int[]> steps = epoch(rank1, ds, 2);
    assertThat(steps).hasSize(4); // 50 / 12
    for (int s = 0; s < steps.size(); s++) {
      assertThat(steps.get(s)).isEqualTo(Arrays.copyOfRange(order, s * 12 + 4, s * 12 + 8));
    }
  }

  @Test
  void everyRankComputesTheSamePermutation() {
    long seed = random.nextLong();
    Dataset ds = SyntheticData.random(60, 2, 3, random);
    // Rank r's step s must sit at order[s*N*B + r*B ...] of one shared permutation: rebuild the permutation
    // from all ranks' batches and compare with EpochOrder.
    int ranks = 3;
    int b = 4;
    int[] rebuilt = new int[60];
    for (int r = 0; r < ranks; r++) {
      List<int[]> steps = epoch(new ShardedBatches(ds, r, ranks, b, seed, true), ds, 4);
      for (int s = 0; s < steps.size(); s++) {
        System.arraycopy(steps.get(s), 0, rebuilt, s * ranks * b + r * b, b);
      }
    }
    assertThat(rebuilt).isEqualTo(new EpochOrder(60, seed, true).of(4));
  }

  @Test
  void differentEpochsGiveDifferentBatches() {
    long seed = random.nextLong();
    Dataset ds = SyntheticData.random(200, 2, 3, random);
    ShardedBatches batches = new ShardedBatches(ds, 1, 2, 8, seed, true);
    List<int[]> e0 = epoch(batches, ds, 0);
    List<int[]> e1 = epoch(batches, ds, 1);
    assertThat(e0.get(0)).isNotEqualTo(e1.get(0));
    assertThat(epoch(batches, ds, 0)).as("returning to an epoch repeats it").usingRecursiveComparison().isEqualTo(e0);
  }

  @Test
  void seekEqualsIterating() {
    long seed = random.nextLong();
    Dataset ds = SyntheticData.random(97, 3, 4, random);
    ShardedBatches iterated = new ShardedBatches(ds, 2, 3, 5, seed, true);
    ShardedBatches sought = new ShardedBatches(ds, 2, 3, 5, seed, true);
    Batch a = Batch.forDataset(ds, 5);
    Batch b = Batch.forDataset(ds, 5);
    int steps = iterated.stepsPerEpoch(); // 97 / 15 = 6
    assertThat(steps).isEqualTo(6);
    for (int epoch = 0; epoch < 3; epoch++) {
      iterated.startEpoch(epoch);
      for (int s = 0; s < steps; s++) {
        assertThat(iterated.epoch()).isEqualTo(epoch);
        assertThat(iterated.stepInEpoch()).isEqualTo(s);
        sought.seek(epoch, s);
        assertThat(iterated.next(a)).isTrue();
        assertThat(sought.next(b)).isTrue();
        assertThat(b.indices()).isEqualTo(a.indices());
        assertThat(b.x()).isEqualTo(a.x());
        assertThat(b.labels()).isEqualTo(a.labels());
      }
      assertThat(iterated.next(a)).isFalse();
      sought.seek(epoch, steps);
      assertThat(sought.next(b)).as("seeking to the end means the epoch is done").isFalse();
    }
  }

  @Test
  void nextAllocatesNothingPerStep() {
    Dataset ds = SyntheticData.random(4000, 50, 3, random);
    ShardedBatches batches = new ShardedBatches(ds, 0, 2, 10, 7, true);
    Batch b = Batch.forDataset(ds, 10);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    batches.startEpoch(0);
    while (batches.next(b)) {} // warm up
    batches.startEpoch(0);
    long before = mx.getCurrentThreadAllocatedBytes();
    int steps = 0;
    while (batches.next(b)) {
      steps++;
    }
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    assertThat(steps).isEqualTo(200);
    // A per-step copy of the batch would be 200 × 2 KB = 400 KB.
    assertThat(allocated).isLessThan(16 * 1024);
  }

  @Test
  void tooFewSamplesForOneGlobalBatch() {
    Dataset ds = SyntheticData.random(11, 2, 3, random);
    assertThatThrownBy(() -> new ShardedBatches(ds, 0, 3, 4, 1, true))
        .isInstanceOf(DataException.class)
        .hasMessage("synthetic: 11 samples are fewer than one global batch (3 ranks × data.batch_size 4 = 12)");
    assertThat(new ShardedBatches(ds, 2, 3, 3, 1, true).stepsPerEpoch()).isEqualTo(1);
  }

  @Test
  void misuseIsRejected() {
    Dataset ds = SyntheticData.random(20, 2, 3, random);
    assertThatThrownBy(() -> new ShardedBatches(ds, 2, 2, 4, 1, true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ShardedBatches(ds, 0, 2, 0, 1, true)).isInstanceOf(IllegalArgumentException.class);
    ShardedBatches batches = new ShardedBatches(ds, 0, 2, 4, 1, true);
    assertThatThrownBy(() -> batches.next(Batch.forDataset(ds, 4))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> batches.seek(0, 3)).isInstanceOf(IllegalArgumentException.class);
    batches.startEpoch(0);
    assertThatThrownBy(() -> batches.next(new Batch(4, 3))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> batches.next(Batch.forDataset(ds, 3))).isInstanceOf(IllegalArgumentException.class);
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** k micro-batches on N ranks: step by step, the union is exactly one rank's batch of k·N·B, in the same order. */
  @Test
  void kMicroBatchesOnNRanksSeeWhatOneRankWithBatchKNBSees() {
    for (int trial = 0; trial < 6; trial++) {
      int ranks = 1 + random.nextInt(3), k = 1 + random.nextInt(4), b = 1 + random.nextInt(4);
      int global = k * ranks * b;
      int n = global * (2 + random.nextInt(3)) + random.nextInt(global); // usually a ragged tail
      Dataset ds = SyntheticData.random(n, 2, 5, random);
      long seed = random.nextLong();
      List<int[]> single = epoch(new ShardedBatches(ds, 0, 1, global, seed, true), ds, 1);
      List<List<int[]>> perRank = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        ShardedBatches micro = new ShardedBatches(ds, r, ranks, b, k, seed, true);
        assertThat(micro.stepsPerEpoch()).isEqualTo(n / global);
        perRank.add(epoch(micro, ds, 1));
      }
      assertThat(single).hasSize(n / global);
      for (int s = 0; s < single.size(); s++) {
        int[] expected = single.get(s);
        for (int m = 0; m < k; m++) {
          for (int r = 0; r < ranks; r++) {
            int[] got = perRank.get(r).get(s * k + m); // micro-batch m of step s
            assertThat(got).as("step %d, micro-batch %d, rank %d", s, m, r)
                .containsExactly(Arrays.copyOfRange(expected, (m * ranks + r) * b, (m * ranks + r + 1) * b));
          }
        }
      }
    }
  }

  @Test
  void stepInEpochCountsWholeStepsOfKMicroBatches() {
    Dataset ds = SyntheticData.random(40, 2, 3, random);
    ShardedBatches batches = new ShardedBatches(ds, 1, 2, 3, 2, 5L, false); // 12 per step: 3 steps
    Batch b = Batch.forDataset(ds, 3);
    batches.seek(0, 1);
    assertThat(batches.next(b)).isTrue();
    assertThat(batches.stepInEpoch()).isEqualTo(1); // mid-step
    assertThat(b.indices()).startsWith(15, 16, 17); // step 1, micro-batch 0, rank 1: 12 + 3
    assertThat(batches.next(b)).isTrue();
    assertThat(b.indices()).startsWith(21, 22, 23); // micro-batch 1: 12 + 6 + 3
    assertThat(batches.stepInEpoch()).isEqualTo(2);
    assertThat(batches.next(b)).isTrue();
    assertThat(batches.next(b)).isTrue();
    assertThat(batches.next(b)).isFalse();
    assertThatThrownBy(() -> new ShardedBatches(ds, 0, 2, 3, 7, 5L, false))
        .hasMessageContaining("update.accumulate_steps 7 = 42");
  }
}

package dev.lockstep.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.nn.LayerRange;
import dev.lockstep.tensor.TestSeed;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BucketPlanTest {
  private static final long MB = 1 << 20;

  /** Ranges of layers with {@code sizes[i]} floats (0 = an activation, no range), tiling the buffer in order. */
  private static List<LayerRange> ranges(int... sizes) {
    List<LayerRange> list = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] > 0) {
        list.add(new LayerRange(i, "layer" + i, offset, sizes[i]));
        offset += sizes[i];
      }
    }
    return list;
  }

  @Test
  void mlpOfTheIssueGetsASmallFirstBucketAndOneBucketPerLargeLayer() {
    // 784→1024→1024→10: linear ranges 803,840 / 1,049,600 / 10,250 floats (3.07 / 4.00 / 0.04 MB)
    List<LayerRange> mlp = ranges(803_840, 0, 1_049_600, 0, 10_250);
    BucketPlan plan = new BucketPlan(mlp, 4 * MB);
    assertThat(plan.buckets()).containsExactly(
        new BucketPlan.Bucket(803_840 + 1_049_600, 10_250, 1),
        new BucketPlan.Bucket(803_840, 1_049_600, 1),
        new BucketPlan.Bucket(0, 803_840, 1));
    assertThat(plan.bucketOf(4)).isZero();
    assertThat(plan.bucketOf(2)).isEqualTo(1);
    assertThat(plan.bucketOf(0)).isEqualTo(2);
    assertThatThrownBy(() -> plan.bucketOf(1)).hasMessageContaining("layer 1 has no parameters");
  }

  @Test
  void aLargeCapPutsEverythingAfterTheFirstBucketTogether() {
    BucketPlan plan = new BucketPlan(ranges(803_840, 0, 1_049_600, 0, 10_250), 25 * MB);
    assertThat(plan.buckets()).extracting(BucketPlan.Bucket::layers).containsExactly(1, 2);
    assertThat(plan.buckets().get(1)).isEqualTo(new BucketPlan.Bucket(0, 803_840 + 1_049_600, 2));
  }

  @Test
  void smallLayersShareABucketUpToTheCapAndTheFirstCapIsTheSmallerOne() {
    // caps in bytes: 40 floats = 160 B; first bucket cap = min(1 MB, 160 B)
    BucketPlan plan = new BucketPlan(ranges(10, 10, 10, 50, 10, 10, 10, 10), 160);
    // reverse: 10,10,10,10 (= 40, full) | 50 (over the cap alone: its own bucket) | 10,10,10
    assertThat(plan.buckets()).extracting(BucketPlan.Bucket::length).containsExactly(40, 50, 30);
    assertThat(plan.buckets()).extracting(BucketPlan.Bucket::layers).containsExactly(4, 1, 3);
  }

  @Test
  void randomModelsAreTiledExactlyInReverseOrderWithinTheCap() {
    long seed = TestSeed.fresh();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int trial = 0; trial < 200; trial++) {
      int[] sizes = new int[1 + rnd.nextInt(12)];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(5000);
      }
      List<LayerRange> ranges = ranges(sizes);
      if (ranges.isEmpty()) {
        continue;
      }
      long cap = 4L * (1 + rnd.nextInt(8000));
      BucketPlan plan = new BucketPlan(ranges, cap);
      long end = ranges.get(ranges.size() - 1).offset() + ranges.get(ranges.size() - 1).length();
      int layersSeen = 0;
      for (int b = 0; b < plan.buckets().size(); b++) {
        BucketPlan.Bucket bucket = plan.buckets().get(b);
        assertThat(bucket.offset() + bucket.length()).as("seed %d: bucket %d ends where the previous began", seed, b).isEqualTo(end);
        assertThat(bucket.layers() == 1 || bucket.length() * 4L <= cap).as("seed %d: bucket %d within the cap", seed, b).isTrue();
        end = bucket.offset();
        layersSeen += bucket.layers();
      }
      assertThat(end).isZero();
      assertThat(layersSeen).isEqualTo(ranges.size());
      for (LayerRange r : ranges) {
        BucketPlan.Bucket bucket = plan.buckets().get(plan.bucketOf(r.layerIndex()));
        assertThat(r.offset()).isBetween((long) bucket.offset(), (long) bucket.offset() + bucket.length() - r.length());
      }
    }
  }

  @Test
  void rejectsANonPositiveCapAndRangesWithGaps() {
    assertThatThrownBy(() -> new BucketPlan(ranges(10), 0)).hasMessageContaining("must be positive");
    List<LayerRange> gap = List.of(new LayerRange(0, "a", 0, 10), new LayerRange(1, "b", 12, 10));
    assertThatThrownBy(() -> new BucketPlan(gap, 1024)).hasMessageContaining("do not tile");
  }
}

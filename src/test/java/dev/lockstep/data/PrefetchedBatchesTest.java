package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batches gathered ahead on a background thread are exactly the wrapped batches: same samples, same order, same
 * epoch ends and step counts, across epochs, a resume in mid-epoch, an epoch cut short, and text windows; the
 * delivered buffer is not touched while the caller holds it.
 */
class PrefetchedBatchesTest {
  private final Random random = new Random();

  private record Step(int[] indices, float[] x, int stepAfter) {}

  private static List<Step> direct(TrainBatches b, Batch into, int epoch, int from, int limit) {
    List<Step> steps = new ArrayList<>();
    b.seek(epoch, from);
    while (steps.size() < limit && b.next(into)) {
      steps.add(new Step(Arrays.copyOf(into.indices(), into.rows()),
          Arrays.copyOf(into.x(), into.rows() * into.width()), b.stepInEpoch()));
    }
    return steps;
  }

  private static List<Step> ahead(PrefetchedBatches b, int epoch, int from, int limit) {
    List<Step> steps = new ArrayList<>();
    b.seek(epoch, from);
    assertThat(b.stepInEpoch()).isEqualTo(from);
    Batch batch;
    while (steps.size() < limit && (batch = b.next()) != null) {
      int[] idx = Arrays.copyOf(batch.indices(), batch.rows());
      float[] x = Arrays.copyOf(batch.x(), batch.rows() * batch.width());
      Thread.yield(); // the next batch is being gathered now: this one must not change meanwhile
      assertThat(Arrays.copyOf(batch.indices(), batch.rows())).isEqualTo(idx);
      assertThat(Arrays.copyOf(batch.x(), batch.rows() * batch.width())).isEqualTo(x);
      steps.add(new Step(idx, x, b.stepInEpoch()));
    }
    return steps;
  }

  private static void assertSame(List<Step> got, List<Step> want) {
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).indices()).as("step %d samples", i).isEqualTo(want.get(i).indices());
      assertThat(got.get(i).x()).as("step %d rows", i).isEqualTo(want.get(i).x());
      assertThat(got.get(i).stepAfter()).as("step %d position", i).isEqualTo(want.get(i).stepAfter());
    }
  }

  @Test
  void rowBatchesComeInTheSameOrderWithTheSamePositions() {
    long seed = random.nextLong();
    Dataset ds = SyntheticData.random(203, 5, 4, random);
    for (int rank = 0; rank < 2; rank++) {
      ShardedBatches reference = new ShardedBatches(ds, rank, 2, 7, seed, true);
      Batch into = Batch.forDataset(ds, 7);
      int r = rank;
      try (PrefetchedBatches ahead = new PrefetchedBatches(new ShardedBatches(ds, r, 2, 7, seed, true),
          () -> Batch.forDataset(ds, 7), "test-batches")) {
        assertThat(ahead.stepsPerEpoch()).isEqualTo(reference.stepsPerEpoch());
        for (int epoch = 0; epoch < 3; epoch++) {
          assertSame(ahead(ahead, epoch, 0, Integer.MAX_VALUE), direct(reference, into, epoch, 0, Integer.MAX_VALUE));
          assertThat(ahead.next()).as("after the epoch's end").isNull();
        }
        // resumed in mid-epoch, then an epoch cut short after 3 steps (its fetched-ahead batch is dropped)
        assertSame(ahead(ahead, 5, 4, Integer.MAX_VALUE), direct(reference, into, 5, 4, Integer.MAX_VALUE));
        assertSame(ahead(ahead, 6, 0, 3), direct(reference, into, 6, 0, 3));
        assertSame(ahead(ahead, 7, 0, Integer.MAX_VALUE), direct(reference, into, 7, 0, Integer.MAX_VALUE));
        int steps = reference.stepsPerEpoch();
        assertThat(ahead(ahead, 8, steps, Integer.MAX_VALUE)).as("a finished epoch").isEmpty();
      }
    }
  }

  @Test
  void textWindowsComeInTheSameOrder() {
    int[] ids = new int[5000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(60);
    }
    long seed = random.nextLong();
    TextWindows reference = new TextWindows(ids, 16, 1, 2, 8, seed);
    try (PrefetchedBatches ahead = new PrefetchedBatches(new TextWindows(ids, 16, 1, 2, 8, seed),
        () -> new Batch(8, 17), "test-text")) {
      for (int epoch = 0; epoch < 2; epoch++) {
        assertSame(ahead(ahead, epoch, 0, Integer.MAX_VALUE),
            direct(reference, new Batch(8, 17), epoch, 0, Integer.MAX_VALUE));
      }
    }
  }

  @Test
  void anErrorOfTheDataPipelineSurfacesAtNext() {
    Dataset ds = SyntheticData.random(40, 3, 2, random);
    try (PrefetchedBatches ahead = new PrefetchedBatches(new ShardedBatches(ds, 0, 1, 8, 1, false),
        () -> new Batch(2, 3), "test-small")) { // too small for a batch of 8: the gather fails on the thread
      ahead.seek(0, 0);
      assertThatThrownBy(ahead::next).isInstanceOf(RuntimeException.class);
    }
  }
}

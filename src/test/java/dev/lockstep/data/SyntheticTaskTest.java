package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.config.DataConfig;
import dev.lockstep.config.SyntheticConfig;
import org.junit.jupiter.api.Test;

/** format synthetic: seeded, the right target kind per task, usable class balance. */
class SyntheticTaskTest {
  static DataConfig synthetic(String task, int train, int test, int features, int outputs, long seed) {
    return new DataConfig("synthetic", null, null, null, null, null, null, null, null, null, null, null, null, null,
        new SyntheticConfig(task, train, test, features, outputs, 8, 0.1, seed));
  }

  @Test
  void sameSeedSameDataOtherSeedOtherData() {
    TrainTest a = Datasets.load(synthetic("classification", 300, 50, 5, 3, 11));
    TrainTest b = Datasets.load(synthetic("classification", 300, 50, 5, 3, 11));
    TrainTest c = Datasets.load(synthetic("classification", 300, 50, 5, 3, 12));
    assertThat(a.train().features()).containsExactly(b.train().features());
    assertThat(a.test().labels()).containsExactly(b.test().labels());
    assertThat(a.train().features()).isNotEqualTo(c.train().features());
    assertThat(a.train().features()).isNotEqualTo(a.test().features());
  }

  @Test
  void classificationHasEveryClassInUsefulProportions() {
    Dataset ds = Datasets.load(synthetic("classification", 2000, 10, 6, 4, 3)).train();
    assertThat(ds.hasLabels()).isTrue();
    assertThat(ds.numClasses()).isEqualTo(4);
    int[] counts = new int[4];
    for (int y : ds.labels()) {
      counts[y]++;
    }
    for (int c : counts) {
      assertThat(c).as("class counts %s", java.util.Arrays.toString(counts)).isGreaterThan(2000 / 4 / 8);
    }
  }

  @Test
  void valueTasksGiveRowsOfTheirKind() {
    Dataset reg = Datasets.load(synthetic("regression", 100, 10, 3, 2, 1)).train();
    assertThat(reg.hasLabels()).isFalse();
    assertThat(reg.targetWidth()).isEqualTo(2);
    assertThat(reg.values()).hasSize(200);
    Dataset multi = Datasets.load(synthetic("multilabel", 400, 10, 3, 5, 1)).train();
    int ones = 0;
    for (float v : multi.values()) {
      assertThat(v).isIn(0f, 1f);
      ones += (int) v;
    }
    assertThat(ones).isBetween(400 * 5 / 10, 400 * 5 * 9 / 10);
    Dataset dist = Datasets.load(synthetic("distribution", 50, 10, 3, 4, 1)).train();
    for (int r = 0; r < 50; r++) {
      double sum = 0;
      for (int c = 0; c < 4; c++) {
        assertThat(dist.values()[r * 4 + c]).isBetween(0f, 1f);
        sum += dist.values()[r * 4 + c];
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void batchesCarryValueRows() {
    Dataset reg = Datasets.load(synthetic("regression", 12, 0, 3, 2, 1)).train();
    ShardedBatches batches = new ShardedBatches(reg, 1, 2, 3, 5, true);
    Batch batch = Batch.forDataset(reg, 3);
    batches.startEpoch(0);
    assertThat(batches.next(batch)).isTrue();
    for (int k = 0; k < 3; k++) {
      int i = batch.indices()[k];
      assertThat(new float[] {batch.values()[2 * k], batch.values()[2 * k + 1]})
          .containsExactly(reg.values()[2 * i], reg.values()[2 * i + 1]);
    }
  }
}

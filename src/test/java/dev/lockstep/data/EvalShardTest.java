package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvalShardTest {
  private final Random random = new Random();

  @Test
  void shardsPartitionTheSetInOrder() {
    int[][] cases = {{10, 3, 4}, {7, 4, 2}, {2, 3, 1}, {1, 1, 5}, {1000, 3, 64}, {97, 2, 97}, {13, 5, 100}};
    for (int[] c : cases) {
      int n = c[0];
      int ranks = c[1];
      int batchSize = c[2];
      Dataset ds = SyntheticData.random(n, 3, 4, random);
      List<Integer> covered = new ArrayList<>();
      int smallest = Integer.MAX_VALUE;
      int largest = 0;
      for (int r = 0; r < ranks; r++) {
        EvalShard shard = new EvalShard(ds, r, ranks, batchSize);
        assertThat(shard.begin()).isEqualTo((int) ((long) r * n / ranks));
        smallest = Math.min(smallest, shard.size());
        largest = Math.max(largest, shard.size());
        Batch b = Batch.forDataset(ds, batchSize);
        int batches = 0;
        while (shard.next(b)) {
          batches++;
          assertThat(b.rows()).isBetween(1, batchSize);
          for (int k = 0; k < b.rows(); k++) {
            int i = b.indices()[k];
            covered.add(i);
            assertThat(b.labels()[k]).isEqualTo(ds.labels()[i]);
            for (int j = 0; j < ds.width(); j++) {
              assertThat(b.x()[k * ds.width() + j]).isEqualTo(ds.features()[i * ds.width() + j]);
            }
          }
        }
        assertThat(batches).isEqualTo(shard.batches());
      }
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(i);
      }
      assertThat(covered).as("n=%d ranks=%d", n, ranks).isEqualTo(all);
      assertThat(largest - smallest).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void resetStartsAnotherPass() {
    Dataset ds = SyntheticData.random(11, 2, 3, random);
    EvalShard shard = new EvalShard(ds, 1, 2, 4); // [5, 11)
    Batch b = Batch.forDataset(ds, 4);
    int rows = 0;
    while (shard.next(b)) {
      rows += b.rows();
    }
    assertThat(rows).isEqualTo(6);
    assertThat(b.rows()).as("last batch is short").isEqualTo(2);
    shard.reset();
    assertThat(shard.next(b)).isTrue();
    assertThat(b.indices()[0]).isEqualTo(5);
  }
}

package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EpochOrderTest {
  private final long seed = new Random().nextLong();

  private static boolean isPermutation(int[] order) {
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i] != i) {
        return false;
      }
    }
    return true;
  }

  @Test
  void shuffledOrderIsAPermutation() {
    for (int n : new int[] {0, 1, 2, 7, 1000, 60001}) {
      assertThat(isPermutation(new EpochOrder(n, seed, true).of(3))).as("n=%d", n).isTrue();
    }
  }

  @Test
  void identityWithoutShuffle() {
    int[] order = new EpochOrder(37, seed, false).of(5);
    for (int i = 0; i < order.length; i++) {
      assertThat(order[i]).isEqualTo(i);
    }
  }

  @Test
  void sameSeedAndEpochGiveTheSameOrderInIndependentInstances() {
    // Every rank builds its own EpochOrder; they must agree.
    for (int epoch = 0; epoch < 4; epoch++) {
      assertThat(new EpochOrder(5000, seed, true).of(epoch)).isEqualTo(new EpochOrder(5000, seed, true).of(epoch));
    }
  }

  @Test
  void epochsAndSeedsDiffer() {
    EpochOrder order = new EpochOrder(1000, seed, true);
    int[] e0 = order.of(0);
    int[] e1 = order.of(1);
    assertThat(e0).isNotEqualTo(e1);
    assertThat(e0).isNotEqualTo(new EpochOrder(1000, seed + 1, true).of(0));
    assertThat(order.of(0)).as("asking again gives the same order").isEqualTo(e0);
  }

  @Test
  void knownOrderIsStableAcrossVersions() {
    // Pinned (and cross-checked against an independent Python SplitMix64 + Lemire + Fisher–Yates) so a change
    // to the generator or the seed mixing, which would silently change every run's data order and the
    // meaning of saved data positions, shows up here.
    EpochOrder order = new EpochOrder(10, 42, true);
    assertThat(order.of(0)).containsExactly(2, 6, 3, 4, 9, 8, 5, 7, 0, 1);
    assertThat(order.of(1)).containsExactly(6, 8, 1, 0, 3, 4, 5, 9, 2, 7);
  }

  @Test
  void everyPermutationIsEquallyLikely() {
    // 4 items → 24 permutations; 48000 shuffles → 2000 each. A biased Fisher–Yates (e.g. Sattolo's off-by-one,
    // which only yields the 6 cyclic permutations) fails this at once.
    Map<String, Integer> counts = new HashMap<>();
    EpochOrder order = new EpochOrder(4, seed, true);
    for (int epoch = 0; epoch < 48000; epoch++) {
      counts.merge(Arrays.toString(order.of(epoch)), 1, Integer::sum);
    }
    assertThat(counts).hasSize(24);
    double chiSquare = 0;
    for (int c : counts.values()) {
      chiSquare += (c - 2000.0) * (c - 2000.0) / 2000.0;
    }
    // 23 degrees of freedom: P(chi2 > 60) < 1e-4.
    assertThat(chiSquare).isLessThan(60);
  }
}

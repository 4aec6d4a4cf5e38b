package dev.lockstep.data;

/**
 * The order in which one epoch visits the samples: a permutation of {@code [0, n)} that depends only on
 * (n, run seed, epoch) — never on the rank or the number of ranks — so every rank computes the same one and
 * a 1-rank run with batch N·B walks the same sequence as N ranks with batch B. Identity when shuffle is off.
 */
public final class EpochOrder {
  private final int n;
  private final long seed;
  private final boolean shuffle;

  public EpochOrder(int n, long seed, boolean shuffle) {
    if (n < 0) {
      throw new IllegalArgumentException("sample count must be >= 0, got " + n);
    }
    this.n = n;
    this.seed = seed;
    this.shuffle = shuffle;
  }

  /** The shuffle seed of one epoch: the run seed mixed with the epoch number. */
  public static long epochSeed(long seed, int epoch) {
    return SplitMix64.mix(seed ^ SplitMix64.mix(0x632BE59BD9B4E019L + epoch));
  }

  /** Fills {@code order} ({@code [n]}) with epoch {@code epoch}'s permutation. */
  public void fill(int epoch, int[] order) {
    if (order.length != n) {
      throw new IllegalArgumentException("order has length " + order.length + ", expected " + n);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (!shuffle) {
      return;
    }
    // Fisher–Yates: position i takes a uniform pick among the i + 1 not yet placed.
    SplitMix64 rng = new SplitMix64(epochSeed(seed, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  public int[] of(int epoch) {
    int[] order = new int[n];
    fill(epoch, order);
    return order;
  }

  public int size() {
    return n;
  }
}

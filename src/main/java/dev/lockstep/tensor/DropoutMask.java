package dev.lockstep.tensor;

/**
 * Which elements dropout keeps: a counter-based hash (SplitMix64's finaliser) of (key, element index), so the mask
 * needs no generator state — any backend, any rank and a resumed run compute the same mask for the same element.
 */
public final class DropoutMask {
  private DropoutMask() {}

  /** The per-layer, per-step key: mixes the run seed, the layer's index and the step number. */
  public static long key(long seed, int layer, long step) {
    return mix(mix(seed ^ 0x632be59bd9b4e019L + layer * 0x9e3779b97f4a7c15L) + step * 0xbf58476d1ce4e5b9L);
  }

  /** Whether element {@code index} (global row × cols + col) survives dropout with probability {@code rate}. */
  public static boolean kept(long key, long index, float rate) {
    long z = mix(key + index * 0x9e3779b97f4a7c15L);
    float u = (z >>> 40) * 0x1.0p-24f; // 24 uniform bits in [0, 1)
    return u >= rate;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}

package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParametersTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  private static Model model() {
    return Model.build(new ModelConfig(List.of(new LayerSpec("linear", 256, null), new LayerSpec("relu", null, null),
        new LayerSpec("linear", 64, null), new LayerSpec("tanh", null, null), new LayerSpec("linear", 7, null))), 512);
  }

  @Test
  void layerRangesCoverTheBufferInOrderWithoutOverlap() {
    Parameters p = new Parameters(model(), CpuBackend.create(1));
    List<LayerRange> ranges = p.layerRanges();
    assertThat(ranges).extracting(LayerRange::layerIndex).containsExactly(0, 2, 4);
    assertThat(ranges).extracting(LayerRange::name)
        .containsExactly("linear(512→256)", "linear(256→64)", "linear(64→7)");
    long next = 0;
    for (LayerRange r : ranges) {
      assertThat(r.offset()).isEqualTo(next);
      assertThat(r.length()).isEqualTo(p.model().layers().get(r.layerIndex()).parameterCount());
      next = r.offset() + r.length();
    }
    assertThat(next).isEqualTo(p.length()).isEqualTo(p.model().parameterCount());
    assertThat(p.rangeAt(512 * 256 + 255).name()).isEqualTo("linear(512→256)"); // last bias of layer 0
    assertThat(p.rangeAt(512 * 256 + 256).name()).isEqualTo("linear(256→64)");
  }

  @Test
  void sameSeedGivesIdenticalBitsAndBiasesStartAtZero() {
    long initSeed = rng.nextLong();
    Parameters a = new Parameters(model(), CpuBackend.create(1));
    Parameters b = new Parameters(model(), CpuBackend.create(1));
    a.initialize(initSeed);
    b.initialize(initSeed);
    assertThat(a.download()).as("seed=%d", initSeed).containsExactly(b.download());
    assertThat(a.checksum()).isEqualTo(b.checksum());
    b.initialize(initSeed + 1);
    assertThat(a.checksum()).isNotEqualTo(b.checksum());

    float[] w = a.download();
    for (LayerRange r : a.layerRanges()) {
      Linear l = (Linear) a.model().layers().get(r.layerIndex());
      int weights = l.inFeatures() * l.outFeatures();
      for (int i = 0; i < l.outFeatures(); i++) {
        assertThat(w[(int) r.offset() + weights + i]).as("bias %d of %s", i, r.name()).isZero();
      }
    }
  }

  @Test
  void initialisationHasTheRequestedScale() {
    Parameters p = new Parameters(model(), CpuBackend.create(1));
    p.initialize(seed);
    float[] w = p.download();
    // layer 0 is he (before relu): N(0, 2/512); layer 2 is xavier (before tanh): U(±√(6/(256+64))).
    double[] s0 = stats(w, 0, 512 * 256);
    assertThat(s0[0]).as("seed=%d he mean", seed).isCloseTo(0, within(0.003));
    assertThat(s0[1]).as("seed=%d he std", seed).isCloseTo(Math.sqrt(2.0 / 512), within(0.02 * Math.sqrt(2.0 / 512)));
    int off = 512 * 256 + 256;
    double bound = Math.sqrt(6.0 / (256 + 64));
    double[] s1 = stats(w, off, 256 * 64);
    assertThat(s1[1]).as("seed=%d xavier std", seed).isCloseTo(bound / Math.sqrt(3), within(0.03 * bound));
    assertThat(s1[2]).as("seed=%d xavier max |w|", seed).isLessThanOrEqualTo(bound).isGreaterThan(0.98 * bound);
  }

  @Test
  void checksumSeesASingleFlippedBitAnywhere() {
    float[] values = TestSeed.uniform(rng, 1 + rng.nextInt(5000), -1, 1);
    long base = Parameters.checksum(values);
    assertThat(Parameters.checksum(values.clone())).isEqualTo(base);
    for (int trial = 0; trial < 200; trial++) {
      int at = rng.nextInt(values.length);
      int bit = rng.nextInt(32);
      float[] flipped = values.clone();
      flipped[at] = Float.intBitsToFloat(Float.floatToRawIntBits(flipped[at]) ^ (1 << bit));
      assertThat(Parameters.checksum(flipped)).as("seed=%d index %d bit %d", seed, at, bit).isNotEqualTo(base);
    }
    assertThat(Parameters.checksum(new float[] {0f})).isNotEqualTo(Parameters.checksum(new float[] {-0f}));
    assertThat(Parameters.checksum(new float[0])).isNotEqualTo(Parameters.checksum(new float[] {0f}));
  }

  @Test
  void uploadZeroGradsAndChecksumOfTheBackendCopy() {
    Parameters p = new Parameters(model(), CpuBackend.create(1));
    float[] host = TestSeed.uniform(rng, p.length(), -1, 1);
    p.upload(host);
    assertThat(p.checksum()).isEqualTo(Parameters.checksum(host));
    CpuBackend be = CpuBackend.create(1);
    Parameters q = new Parameters(model(), be);
    be.fill(q.grads(), 3f);
    q.zeroGrads();
    assertThat(q.downloadGrads()).containsOnly(0f);
  }

  private static double[] stats(float[] a, int from, int n) {
    double sum = 0;
    double sq = 0;
    double max = 0;
    for (int i = from; i < from + n; i++) {
      sum += a[i];
      sq += (double) a[i] * a[i];
      max = Math.max(max, Math.abs(a[i]));
    }
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(sq / n - mean * mean), max};
  }
}

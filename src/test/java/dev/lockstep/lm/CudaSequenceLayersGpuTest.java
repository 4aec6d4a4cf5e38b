package dev.lockstep.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.nn.Layer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The language-model layers on CUDA ({@code SequenceKernels}: no host round trips) against their host code on
 * the CPU backend, on fresh random inputs and odd shapes: forward output, input gradient and the accumulated
 * parameter gradient (which starts non-zero), each element within 1e-5 relative to the host value, or to 1e-3 of
 * the largest host element where a value is a near-cancelling sum of many terms.
 */
@Tag("gpu")
class CudaSequenceLayersGpuTest {
  private static final double TOL = 1e-5;
  private static CudaBackend gpu;
  private static CpuBackend cpu;
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @BeforeAll
  static void open() {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
    gpu = CudaBackend.create(0, false);
    cpu = CpuBackend.create(4);
  }

  @AfterAll
  static void close() {
    if (gpu != null) {
      gpu.close();
      cpu.close();
    }
  }

  @Test
  void embeddingMatchesTheHostCode() {
    for (int[] s : new int[][] {{3, 5, 11, 8}, {7, 32, 65, 64}, {1, 1, 2, 3}}) { // B, T, V, C
      for (boolean positional : new boolean[] {false, true}) {
        int batch = s[0], t = s[1], v = s[2], c = s[3];
        float[] ids = new float[batch * t];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = rng.nextInt(v);
        }
        ids[0] = ids.length > 1 ? ids[1] : ids[0]; // a repeated token: its rows add up
        compare("embedding " + java.util.Arrays.toString(s) + " positional=" + positional,
            () -> new Embedding(t, v, c, positional), batch, ids, false);
      }
    }
  }

  @Test
  void layerNormMatchesTheHostCode() {
    for (int[] s : new int[][] {{2, 3, 5}, {8, 32, 64}, {3, 7, 100}, {1, 1, 1}}) { // B, T, C
      int batch = s[0], t = s[1], c = s[2];
      float[] x = TestSeed.uniform(rng, batch * t * c, -3, 3);
      compare("layer_norm " + java.util.Arrays.toString(s), () -> new LayerNorm(t, c), batch, x, true);
    }
  }

  @Test
  void causalAttentionMatchesTheHostCode() {
    for (int[] s : new int[][] {{2, 5, 8, 2}, {4, 32, 64, 4}, {1, 70, 12, 3}, {3, 1, 4, 1}}) { // B, T, C, H
      int batch = s[0], t = s[1], c = s[2], h = s[3];
      float[] x = TestSeed.uniform(rng, batch * t * 3 * c, -2, 2);
      compare("attention " + java.util.Arrays.toString(s), () -> new CausalSelfAttention(t, c, h), batch, x, true);
    }
  }

  @Test
  void transformerBlockMatchesTheHostCode() {
    int batch = 3, t = 16, c = 32, h = 4;
    float[] x = TestSeed.uniform(rng, batch * t * c, -1, 1);
    compare("transformer_block", () -> new TransformerBlock(t, c, h), batch, x, true);
  }

  /** The same layer type with the same parameters, input and dy on both backends. */
  private void compare(String what, Supplier<Layer> make, int batch, float[] x, boolean wantDx) {
    Layer proto = make.get();
    float[] params = TestSeed.uniform(rng, proto.parameterCount(), -1, 1);
    float[] grad0 = TestSeed.uniform(rng, proto.parameterCount(), -0.5, 0.5);
    float[] dy = TestSeed.uniform(rng, batch * proto.outFeatures(), -1, 1);
    Result host = run(cpu, make.get(), params, grad0, x, dy, batch, wantDx);
    Result dev = run(gpu, make.get(), params, grad0, x, dy, batch, wantDx);
    String label = what + " seed " + seed;
    close(label + " y", dev.y, host.y);
    if (wantDx) {
      close(label + " dx", dev.dx, host.dx);
    }
    close(label + " parameter gradient", dev.grads, host.grads);
  }

  private record Result(float[] y, float[] dx, float[] grads) {}

  private static Result run(Backend be, Layer layer, float[] params, float[] grad0, float[] x, float[] dy, int batch,
                            boolean wantDx) {
    int np = params.length;
    Buf p = be.allocate(Math.max(1, np));
    Buf g = be.allocate(Math.max(1, np));
    if (np > 0) {
      be.upload(params, 0, p.view(0, np));
      be.upload(grad0, 0, g.view(0, np));
      layer.bind(p.view(0, np), g.view(0, np));
    }
    Buf xb = be.allocate(x.length);
    be.upload(x, 0, xb);
    Buf yb = be.allocate((long) batch * layer.outFeatures());
    Buf dyb = be.allocate(dy.length);
    be.upload(dy, 0, dyb);
    Buf dxb = wantDx ? be.allocate(x.length) : null;
    layer.forward(be, xb, yb, batch);
    layer.backward(be, xb, yb, dyb, dxb, batch);
    float[] y = new float[(int) yb.length()];
    be.download(yb, y, 0);
    float[] dx = null;
    if (wantDx) {
      dx = new float[x.length];
      be.download(dxb, dx, 0);
    }
    float[] grads = new float[np];
    if (np > 0) {
      be.download(g.view(0, np), grads, 0);
    }
    return new Result(y, dx, grads);
  }

  /** Element-wise within TOL · max(|host|, 1e-3 · largest |host|): sums of many terms are judged at their scale. */
  private static void close(String what, float[] got, float[] ref) {
    assertThat(got).as(what + " length").hasSize(ref.length);
    double largest = 0;
    for (float v : ref) {
      largest = Math.max(largest, Math.abs(v));
    }
    double worst = 0;
    for (int i = 0; i < ref.length; i++) {
      double scale = Math.max(Math.abs(ref[i]), 1e-3 * largest);
      double err = Math.abs(got[i] - ref[i]);
      if (!(err <= TOL * scale + 1e-30)) {
        fail(String.format("%s: element %d is %s, host %s (error %.3g > %.3g)", what, i, got[i], ref[i], err,
            TOL * scale));
      }
      worst = Math.max(worst, scale == 0 ? 0 : err / scale);
    }
    System.out.printf("%s: max scaled error %.3g%n", what, worst);
  }
}

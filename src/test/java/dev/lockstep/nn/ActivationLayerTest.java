package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.Activation;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each activation's backward against central differences of its forward, through the layer. */
class ActivationLayerTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  @Test
  void backwardMatchesFiniteDifferences() {
    int[][] shapes = {{1, 1}, {3, 5}, {17, 33}};
    double h = 1e-3;
    for (Activation f : Activation.values()) {
      for (int[] s : shapes) {
        int batch = s[0];
        int width = s[1];
        int n = batch * width;
        ActivationLayer layer = new ActivationLayer(f, width);
        float[] x = TestSeed.uniform(rng, n, -4, 4);
        for (int i = 0; i < n; i++) { // keep relu's kink out of the central difference's reach
          if (Math.abs(x[i]) < 10 * h) {
            x[i] = x[i] < 0 ? -0.5f : 0.5f;
          }
        }
        float[] r = TestSeed.uniform(rng, n, -1, 1);
        Buf xb = upload(x);
        Buf yb = be.allocate(n);
        layer.forward(be, xb, yb, batch);
        Buf dxb = be.allocate(n);
        layer.backward(be, xb, yb, upload(r), dxb, batch);
        float[] dx = download(dxb);

        // L = Σ R ⊙ f(x) is separable: one pair of shifted forwards gives every element's difference.
        float[] up = new float[n];
        float[] down = new float[n];
        for (int i = 0; i < n; i++) {
          up[i] = (float) (x[i] + h);
          down[i] = (float) (x[i] - h);
        }
        float[] yUp = forward(layer, up, batch);
        float[] yDown = forward(layer, down, batch);
        for (int i = 0; i < n; i++) {
          double fd = r[i] * ((double) yUp[i] - yDown[i]) / ((double) up[i] - down[i]);
          assertThat((double) dx[i]).as("seed=%d %s shape=%dx%d x=%s", seed, f, batch, width, x[i])
              .isCloseTo(fd, within(2e-4 + 1e-3 * Math.abs(fd)));
        }
      }
    }
  }

  @Test
  void usesOnlyTheLeadingBatchRowsOfLargerBuffers() {
    int width = 4;
    ActivationLayer layer = new ActivationLayer(Activation.TANH, width);
    Buf x = upload(TestSeed.uniform(rng, 5 * width, -1, 1)); // room for 5 rows, batch of 3
    Buf y = be.allocate(5 * width);
    be.fill(y, 42f);
    layer.forward(be, x, y, 3);
    float[] out = download(y);
    for (int i = 3 * width; i < 5 * width; i++) {
      assertThat(out[i]).as("seed=%d row %d beyond the batch", seed, i / width).isEqualTo(42f);
    }
    assertThat(out[0]).isNotEqualTo(42f);
  }

  private float[] forward(ActivationLayer layer, float[] x, int batch) {
    Buf y = be.allocate(x.length);
    layer.forward(be, upload(x), y, batch);
    return download(y);
  }

  private Buf upload(float[] a) {
    Buf b = be.allocate(a.length);
    be.upload(a, 0, b);
    return b;
  }

  private float[] download(Buf b) {
    float[] a = new float[(int) b.length()];
    be.download(b, a, 0);
    return a;
  }
}

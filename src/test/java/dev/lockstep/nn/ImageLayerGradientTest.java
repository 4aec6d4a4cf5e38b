package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import dev.lockstep.tensor.Window2d;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The image layers against float64 references (forward) and central differences (backward: parameters and input),
 * on odd shapes, stride 2, padding, 1 and 3 channels, with fresh random inputs.
 */
class ImageLayerGradientTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  // B, Cin, H, W, Cout, k, stride, padding
  private static final int[][] CONV_SHAPES = {
      {2, 1, 5, 7, 3, 3, 1, 1}, {3, 3, 6, 5, 2, 3, 2, 1}, {1, 3, 4, 4, 4, 2, 2, 0}, {2, 2, 7, 6, 3, 5, 2, 2},
      {1, 1, 1, 1, 2, 1, 1, 0}, {2, 3, 9, 8, 5, 3, 3, 0}};

  @Test
  void conv2dMatchesAFloat64ReferenceAndFiniteDifferences() {
    for (int[] s : CONV_SHAPES) {
      Window2d w = new Window2d(s[1], s[2], s[3], s[5], s[6], s[7]);
      Conv2d conv = new Conv2d(w, s[4], new ConvWorkspace());
      LayerCheck c = new LayerCheck(be, conv, s[0], TestSeed.uniform(rng, s[0] * w.inSize(), -1, 1), rng);
      float[] y = c.forward();
      double[] ref = convReference(c.x, c.params, s[0], w, s[4]);
      for (int i = 0; i < ref.length; i++) {
        assertThat((double) y[i]).as("seed=%d conv %s y[%d]", seed, Arrays.toString(s), i)
            .isCloseTo(ref[i], within(1e-5 * (1 + Math.abs(ref[i]))));
      }
      // L is linear in x and in the weights: a large step is exact up to float rounding.
      c.check("seed=" + seed + " conv2d " + Arrays.toString(s), 0.5, 2e-4, false, rng);
    }
  }

  @Test
  void conv2dGradientsAccumulateOverCallsAndDoNotDependOnTheWorkspace() {
    Window2d w = new Window2d(3, 6, 5, 3, 2, 1);
    ConvWorkspace shared = new ConvWorkspace();
    Conv2d big = new Conv2d(new Window2d(3, 11, 9, 3, 1, 1), 6, shared); // grows the shared scratch first
    LayerCheck first = new LayerCheck(be, big, 2, TestSeed.uniform(rng, 2 * 3 * 11 * 9, -1, 1), rng);
    first.forward();
    Conv2d conv = new Conv2d(w, 4, shared);
    LayerCheck c = new LayerCheck(be, conv, 3, TestSeed.uniform(rng, 3 * w.inSize(), -1, 1), rng);
    c.check("seed=" + seed + " conv2d after a larger one on the same workspace", 0.5, 2e-4, false, rng);
  }

  // B, C, H, W, k, stride, padding
  private static final int[][] POOL_SHAPES = {
      {2, 1, 6, 6, 2, 2, 0}, {3, 3, 7, 5, 3, 2, 1}, {1, 3, 5, 5, 2, 1, 0}, {2, 2, 9, 7, 3, 3, 1}, {1, 1, 1, 1, 1, 1, 0}};

  @Test
  void poolingMatchesAFloat64ReferenceAndFiniteDifferences() {
    for (boolean avg : new boolean[] {false, true}) {
      for (int[] s : POOL_SHAPES) {
        Window2d w = new Window2d(s[1], s[2], s[3], s[4], s[5], s[6]);
        Pool2d pool = new Pool2d(avg, w);
        LayerCheck c = new LayerCheck(be, pool, s[0], distinct(s[0] * w.inSize()), rng);
        float[] y = c.forward();
        double[] ref = poolReference(avg, c.x, s[0], w);
        for (int i = 0; i < ref.length; i++) {
          assertThat((double) y[i]).as("seed=%d %s pool %s y[%d]", seed, avg ? "avg" : "max", Arrays.toString(s), i)
              .isCloseTo(ref[i], within(1e-6 * (1 + Math.abs(ref[i]))));
        }
        // Inputs are ≥ 0.05 apart, so a step of 0.01 never changes which element is a window's maximum.
        c.check("seed=" + seed + (avg ? " avg" : " max") + "_pool2d " + Arrays.toString(s), 1e-2, 2e-3, false, rng);
      }
    }
  }

  @Test
  void dropoutIsTheIdentityInEvaluationAndAFixedScaledMaskInTraining() {
    int batch = 5, width = 37;
    float rate = 0.3f;
    Dropout d = new Dropout(rate, width, 4);
    LayerCheck c = new LayerCheck(be, d, batch, TestSeed.uniform(rng, batch * width, -1, 1), rng);
    d.setPass(PassContext.EVAL);
    assertThat(c.forward()).containsExactly(c.x);

    long runSeed = rng.nextLong();
    d.setPass(new PassContext(true, runSeed, 9, 11, CrossRankSum.SINGLE, false));
    float[] y = c.forward();
    int dropped = 0;
    for (int i = 0; i < y.length; i++) {
      if (y[i] == 0f) {
        dropped++;
      } else {
        assertThat(y[i]).isEqualTo(c.x[i] * (1f / (1f - rate)));
      }
    }
    assertThat(dropped).as("seed=%d dropped of %d", seed, y.length).isBetween(20, 95); // ~56 expected
    c.check("seed=" + seed + " dropout", 0.5, 1e-5, false, rng);

    // Rows are masked by their global index: rows 2.. of a batch starting at row 11 are rows 0.. of one at row 13.
    d.setPass(new PassContext(true, runSeed, 9, 13, CrossRankSum.SINGLE, false));
    float[] shifted = c.forward();
    for (int i = 0; i < (batch - 2) * width; i++) {
      assertThat(shifted[i] == 0f).isEqualTo(y[i + 2 * width] == 0f);
    }
    // Another step or another layer draws another mask.
    d.setPass(new PassContext(true, runSeed, 10, 11, CrossRankSum.SINGLE, false));
    assertThat(c.forward()).isNotEqualTo(y);
  }

  @Test
  void batchNormNormalisesPerChannelAndGradientsMatch() {
    for (int[] s : new int[][] {{4, 3, 5}, {3, 1, 7}, {5, 5, 1}, {6, 2, 3}}) { // B, C, S (B·S ≥ 5: with two values x̂ is ±1)
      BatchNorm bn = new BatchNorm(s[1], s[2], false, 0.1);
      bn.setPass(PassContext.training(1, 0));
      var buffers = be.allocate(2L * s[1]);
      bn.bindBuffers(buffers);
      float[] init = new float[2 * s[1]];
      bn.initializeBuffers(init, 0);
      be.upload(init, 0, buffers);
      LayerCheck c = new LayerCheck(be, bn, s[0], TestSeed.uniform(rng, s[0] * s[1] * s[2], -2, 2), rng);
      float[] y = c.forward();
      double[][] stats = channelStats(c.x, s[0], s[1], s[2]);
      for (int n = 0; n < s[0]; n++) {
        for (int ch = 0; ch < s[1]; ch++) {
          for (int i = 0; i < s[2]; i++) {
            int at = (n * s[1] + ch) * s[2] + i;
            double ref = (c.x[at] - stats[0][ch]) / Math.sqrt(stats[1][ch] + 1e-5) * c.params[ch] + c.params[s[1] + ch];
            assertThat((double) y[at]).as("seed=%d bn %s y[%d]", seed, Arrays.toString(s), at)
                .isCloseTo(ref, within(1e-4));
          }
        }
      }
      c.check("seed=" + seed + " batch_norm " + Arrays.toString(s), 1e-2, 3e-3, false, rng);

      // Running statistics: one update per non-recompute training pass, unbiased variance, momentum 0.1.
      float[] before = new float[2 * s[1]];
      be.download(buffers, before, 0);
      bn.setPass(PassContext.training(1, 1).asRecompute());
      c.forward();
      float[] after = new float[2 * s[1]];
      be.download(buffers, after, 0);
      assertThat(after).containsExactly(before);
      bn.setPass(PassContext.training(1, 2));
      c.forward();
      be.download(buffers, after, 0);
      double m = (double) s[0] * s[2];
      for (int ch = 0; ch < s[1]; ch++) {
        assertThat((double) after[ch]).isCloseTo(0.9 * before[ch] + 0.1 * stats[0][ch], within(1e-5));
        double unbiased = m > 1 ? stats[1][ch] * m / (m - 1) : stats[1][ch];
        assertThat((double) after[s[1] + ch]).isCloseTo(0.9 * before[s[1] + ch] + 0.1 * unbiased, within(1e-5));
      }

      // Evaluation normalises with the running statistics, and its gradients are those of a fixed affine map.
      bn.setPass(PassContext.EVAL);
      float[] ye = c.forward();
      for (int n = 0; n < s[0]; n++) {
        for (int ch = 0; ch < s[1]; ch++) {
          int at = (n * s[1] + ch) * s[2];
          double ref = (c.x[at] - after[ch]) / Math.sqrt(after[s[1] + ch] + 1e-5) * c.params[ch] + c.params[s[1] + ch];
          assertThat((double) ye[at]).isCloseTo(ref, within(1e-4));
        }
      }
      c.check("seed=" + seed + " batch_norm (evaluation) " + Arrays.toString(s), 0.5, 1e-3, false, rng);
    }
  }

  @Test
  void flattenCopiesBothWays() {
    Flatten f = new Flatten(12);
    LayerCheck c = new LayerCheck(be, f, 3, TestSeed.uniform(rng, 36, -1, 1), rng);
    assertThat(c.forward()).containsExactly(c.x);
    c.check("flatten", 0.5, 1e-6, false, rng);
  }

  /** Values k·0.05 (k distinct), shuffled: no two inputs closer than 0.05. */
  private float[] distinct(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i - n / 2) * 0.05f;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      float t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  static double[] convReference(float[] x, float[] p, int batch, Window2d w, int out) {
    int ho = w.outHeight(), wo = w.outWidth(), k = w.kernel();
    double[] y = new double[batch * out * ho * wo];
    int weights = out * w.patchSize();
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < out; o++) {
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++) {
            double acc = p[weights + o];
            for (int c = 0; c < w.channels(); c++) {
              for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                  int ih = oh * w.stride() - w.padding() + i, iw = ow * w.stride() - w.padding() + j;
                  if (ih >= 0 && ih < w.height() && iw >= 0 && iw < w.width()) {
                    acc += (double) p[((o * w.channels() + c) * k + i) * k + j]
                        * x[((n * w.channels() + c) * w.height() + ih) * w.width() + iw];
                  }
                }
              }
            }
            y[((n * out + o) * ho + oh) * wo + ow] = acc;
          }
        }
      }
    }
    return y;
  }

  static double[] poolReference(boolean avg, float[] x, int batch, Window2d w) {
    int ho = w.outHeight(), wo = w.outWidth(), k = w.kernel();
    double[] y = new double[batch * w.channels() * ho * wo];
    for (int pl = 0; pl < batch * w.channels(); pl++) {
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++) {
          double acc = avg ? 0 : Double.NEGATIVE_INFINITY;
          for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
              int ih = oh * w.stride() - w.padding() + i, iw = ow * w.stride() - w.padding() + j;
              if (ih >= 0 && ih < w.height() && iw >= 0 && iw < w.width()) {
                double v = x[(pl * w.height() + ih) * w.width() + iw];
                acc = avg ? acc + v : Math.max(acc, v);
              }
            }
          }
          y[(pl * ho + oh) * wo + ow] = avg ? acc / (k * k) : acc;
        }
      }
    }
    return y;
  }

  /** Per channel of [B, C, S]: {mean, biased variance}, in double. */
  static double[][] channelStats(float[] x, int batch, int channels, int spatial) {
    double[][] out = new double[2][channels];
    double m = (double) batch * spatial;
    for (int ch = 0; ch < channels; ch++) {
      double sum = 0;
      for (int n = 0; n < batch; n++) {
        for (int i = 0; i < spatial; i++) {
          sum += x[(n * channels + ch) * spatial + i];
        }
      }
      double mean = sum / m, var = 0;
      for (int n = 0; n < batch; n++) {
        for (int i = 0; i < spatial; i++) {
          var += Math.pow(x[(n * channels + ch) * spatial + i] - mean, 2);
        }
      }
      out[0][ch] = mean;
      out[1][ch] = var / m;
    }
    return out;
  }
}

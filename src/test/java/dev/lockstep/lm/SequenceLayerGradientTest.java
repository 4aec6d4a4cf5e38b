package dev.lockstep.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.nn.LayerCheck;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of the sequence layers on random odd shapes, plus their forward maths. */
class SequenceLayerGradientTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  private float[] ids(int n, int vocab) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextInt(vocab);
    }
    return a;
  }

  @Test
  void embeddingScatterAddsIntoLookedUpRows() {
    for (int[] s : new int[][] {{3, 5, 7, 4}, {1, 1, 2, 1}, {4, 6, 3, 5}}) { // B, T, V, C
      for (boolean positional : new boolean[] {false, true}) {
        Embedding e = new Embedding(s[1], s[2], s[3], positional);
        LayerCheck c = new LayerCheck(be, e, s[0], ids(s[0] * s[1], s[2]), rng);
        float[] y = c.forward();
        for (int b = 0; b < s[0]; b++) {
          for (int t = 0; t < s[1]; t++) {
            int id = (int) c.x[b * s[1] + t];
            for (int ch = 0; ch < s[3]; ch++) {
              double ref = c.params[id * s[3] + ch] + (positional ? c.params[(s[2] + t) * s[3] + ch] : 0);
              assertThat((double) y[(b * s[1] + t) * s[3] + ch]).isCloseTo(ref, within(1e-6));
            }
          }
        }
        // L is linear in the table: a large step is exact, and repeated ids must add up.
        c.check("seed=" + seed + " embedding " + java.util.Arrays.toString(s) + " positional=" + positional,
            0.5, 1e-4, true, rng);
      }
    }
  }

  @Test
  void embeddingRejectsIdsOutsideTheVocabulary() {
    Embedding e = new Embedding(2, 3, 2, false);
    LayerCheck c = new LayerCheck(be, e, 1, new float[] {1, 3}, rng);
    assertThatThrownBy(c::forward).hasMessageContaining("input 3.0 at position 1 is not a token id in [0, 3)");
  }

  @Test
  void layerNormForwardNormalisesEachPositionAndGradientsMatch() {
    for (int[] s : new int[][] {{2, 3, 5}, {1, 1, 4}, {3, 2, 7}}) { // B, T, C
      LayerNorm ln = new LayerNorm(s[1], s[2]);
      LayerCheck c = new LayerCheck(be, ln, s[0], TestSeed.uniform(rng, s[0] * s[1] * s[2], -2, 2), rng);
      float[] y = c.forward();
      for (int row = 0; row < s[0] * s[1]; row++) {
        double mean = 0, var = 0;
        for (int ch = 0; ch < s[2]; ch++) {
          mean += c.x[row * s[2] + ch];
        }
        mean /= s[2];
        for (int ch = 0; ch < s[2]; ch++) {
          var += Math.pow(c.x[row * s[2] + ch] - mean, 2);
        }
        var /= s[2];
        for (int ch = 0; ch < s[2]; ch++) {
          double ref = (c.x[row * s[2] + ch] - mean) / Math.sqrt(var + 1e-5) * c.params[ch] + c.params[s[2] + ch];
          assertThat((double) y[row * s[2] + ch]).isCloseTo(ref, within(1e-4));
        }
      }
      c.check("seed=" + seed + " layer_norm " + java.util.Arrays.toString(s), 1e-2, 3e-3, false, rng);
    }
  }

  @Test
  void attentionSingleAndMultiHeadGradientsMatch() {
    for (int[] s : new int[][] {{2, 3, 4, 1}, {1, 5, 6, 3}, {2, 4, 6, 2}, {1, 1, 2, 1}}) { // B, T, C, H
      CausalSelfAttention a = new CausalSelfAttention(s[1], s[2], s[3]);
      LayerCheck c = new LayerCheck(be, a, s[0], TestSeed.uniform(rng, s[0] * s[1] * 3 * s[2], -1.5, 1.5), rng);
      c.check("seed=" + seed + " attention " + java.util.Arrays.toString(s), 1e-2, 3e-3, false, rng);
    }
  }

  @Test
  void attentionIsCausalAndMatchesAFloat64Reference() {
    int b = 2, t = 5, ch = 6, h = 2, d = ch / h;
    CausalSelfAttention a = new CausalSelfAttention(t, ch, h);
    LayerCheck c = new LayerCheck(be, a, b, TestSeed.uniform(rng, b * t * 3 * ch, -2, 2), rng);
    float[] y = c.forward();
    for (int bb = 0; bb < b; bb++) {
      for (int head = 0; head < h; head++) {
        for (int q = 0; q < t; q++) {
          double[] w = new double[q + 1];
          double sum = 0;
          for (int k = 0; k <= q; k++) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
              dot += c.x[((bb * t + q) * 3) * ch + head * d + i] * (double) c.x[((bb * t + k) * 3 + 1) * ch + head * d + i];
            }
            w[k] = Math.exp(dot / Math.sqrt(d));
            sum += w[k];
          }
          for (int i = 0; i < d; i++) {
            double ref = 0;
            for (int k = 0; k <= q; k++) {
              ref += w[k] / sum * c.x[((bb * t + k) * 3 + 2) * ch + head * d + i];
            }
            assertThat((double) y[(bb * t + q) * ch + head * d + i]).as("seed=%d y[%d,%d,%d]", seed, bb, q, i)
                .isCloseTo(ref, within(1e-5));
          }
        }
      }
    }
    // Changing the last position's k and v leaves every earlier output unchanged.
    for (int i = ch; i < 3 * ch; i++) {
      c.x[((t - 1) * 3) * ch + i] += 1f;
    }
    float[] y2 = c.forward();
    for (int i = 0; i < (t - 1) * ch; i++) {
      assertThat(y2[i]).isEqualTo(y[i]);
    }
  }

  @Test
  void transformerBlockGradientsMatch() {
    for (int[] s : new int[][] {{2, 3, 4, 1}, {1, 4, 6, 2}}) { // B, T, C, H
      TransformerBlock blk = new TransformerBlock(s[1], s[2], s[3]);
      LayerCheck c = new LayerCheck(be, blk, s[0], TestSeed.uniform(rng, s[0] * s[1] * s[2], -1, 1), rng);
      // Smaller random weights keep the block in the range where float forward + h = 1e-2 is accurate.
      for (int i = 0; i < c.params.length; i++) {
        c.params[i] *= 0.5f;
      }
      c.check("seed=" + seed + " transformer_block " + java.util.Arrays.toString(s), 1e-2, 5e-3, false, rng);
    }
  }
}

package dev.lockstep.tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The CPU loops behind {@link CpuBackend}'s image ops (see {@link Backend} for their contracts): plain loops over
 * heap arrays in memory order. {@link CpuBackend} moves the direct buffers' contents in and out with bulk copies,
 * because per-element FloatBuffer get/put is bounds-checked and never vectorised while array loops are. The
 * convolution's arithmetic is in the GEMMs around im2col/col2im (OpenBLAS); these loops move data and are
 * memory-bound. Every loop keeps the summation order of the plain definition, so results are bit-identical to it.
 */
final class CpuImageOps {
  private CpuImageOps() {}

  // x: [B, C, H, W] → cols: [B, C·k·k, Ho·Wo]
  static void im2col(float[] x, float[] cols, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), image = w.inSize();
    int out = 0; // walks cols in memory order: image, (c, i, j), (oh, ow)
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < w.channels(); ch++) {
        int plane = n * image + ch * h * wd;
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            // Output columns [lo, hi) read inside the row (iw = ow·s − p + j in [0, W)); the rest are padding.
            int lo = Math.min(wo, firstInside(p - j, s)), hi = Math.max(lo, Math.min(wo, firstInside(wd + p - j, s)));
            for (int oh = 0; oh < ho; oh++, out += wo) {
              int ih = oh * s - p + i;
              if (ih < 0 || ih >= h) {
                Arrays.fill(cols, out, out + wo, 0f);
                continue;
              }
              int src = plane + ih * wd - p + j; // x index of ow = 0 (before stride)
              Arrays.fill(cols, out, out + lo, 0f);
              if (s == 1) {
                System.arraycopy(x, src + lo, cols, out + lo, hi - lo);
              } else {
                for (int ow = lo; ow < hi; ow++) {
                  cols[out + ow] = x[src + ow * s];
                }
              }
              Arrays.fill(cols, out + hi, out + wo, 0f);
            }
          }
        }
      }
    }
    assert out == batch * w.patchSize() * w.outPositions();
  }

  // cols: [B, C·k·k, Ho·Wo] → dx: [B, C, H, W] (overwritten), each pixel summing its patches in cols order
  static void col2im(float[] cols, float[] dx, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), image = w.inSize();
    Arrays.fill(dx, 0, batch * image, 0f);
    int in = 0;
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < w.channels(); ch++) {
        int plane = n * image + ch * h * wd;
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            int lo = Math.min(wo, firstInside(p - j, s)), hi = Math.max(lo, Math.min(wo, firstInside(wd + p - j, s)));
            for (int oh = 0; oh < ho; oh++, in += wo) {
              int ih = oh * s - p + i;
              if (ih < 0 || ih >= h) {
                continue;
              }
              int dst = plane + ih * wd - p + j;
              if (s == 1) {
                for (int ow = lo; ow < hi; ow++) {
                  dx[dst + ow] += cols[in + ow];
                }
              } else {
                for (int ow = lo; ow < hi; ow++) {
                  dx[dst + ow * s] += cols[in + ow];
                }
              }
            }
          }
        }
      }
    }
  }

  /** The smallest ow ≥ 0 with ow·s ≥ offset (offset may be negative). */
  private static int firstInside(int offset, int s) {
    return offset <= 0 ? 0 : (offset + s - 1) / s;
  }

  static void pool2d(boolean avg, float[] x, float[] y, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth();
    float inv = 1f / (k * k);
    int planes = batch * w.channels(), out = 0;
    if (p == 0) { // every window lies inside the image: no bounds checks
      for (int pl = 0; pl < planes; pl++) {
        int base = pl * h * wd;
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++, out++) {
            int corner = base + oh * s * wd + ow * s;
            float acc = avg ? 0f : x[corner];
            for (int i = 0; i < k; i++) {
              for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                float v = x[at];
                acc = avg ? acc + v : Math.max(acc, v);
              }
            }
            y[out] = avg ? acc * inv : acc;
          }
        }
      }
      return;
    }
    for (int pl = 0; pl < planes; pl++) {
      int base = pl * h * wd;
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++, out++) {
          float acc = avg ? 0f : Float.NEGATIVE_INFINITY;
          for (int i = 0; i < k; i++) {
            int ih = oh * s - p + i;
            if (ih < 0 || ih >= h) {
              continue;
            }
            for (int j = 0; j < k; j++) {
              int iw = ow * s - p + j;
              if (iw >= 0 && iw < wd) {
                float v = x[base + ih * wd + iw];
                acc = avg ? acc + v : Math.max(acc, v);
              }
            }
          }
          y[out] = avg ? acc * inv : acc;
        }
      }
    }
  }

  // dx is overwritten
  static void pool2dBackward(boolean avg, float[] x, float[] dy, float[] dx, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth();
    float inv = 1f / (k * k);
    int planes = batch * w.channels(), out = 0;
    Arrays.fill(dx, 0, planes * h * wd, 0f);
    if (p == 0) { // every window lies inside the image: no bounds checks
      for (int pl = 0; pl < planes; pl++) {
        int base = pl * h * wd;
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++, out++) {
            int corner = base + oh * s * wd + ow * s;
            float g = dy[out];
            if (avg) {
              for (int i = 0; i < k; i++) {
                for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                  dx[at] += g * inv;
                }
              }
            } else {
              int best = corner;
              float max = x[corner];
              for (int i = 0; i < k; i++) {
                for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                  if (x[at] > max) {
                    max = x[at];
                    best = at;
                  }
                }
              }
              dx[best] += g;
            }
          }
        }
      }
      return;
    }
    for (int pl = 0; pl < planes; pl++) {
      int base = pl * h * wd;
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++, out++) {
          float g = dy[out];
          int best = -1;
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < k; i++) {
            int ih = oh * s - p + i;
            if (ih < 0 || ih >= h) {
              continue;
            }
            for (int j = 0; j < k; j++) {
              int iw = ow * s - p + j;
              if (iw < 0 || iw >= wd) {
                continue;
              }
              int at = base + ih * wd + iw;
              if (avg) {
                dx[at] += g * inv;
              } else if (best < 0 || x[at] > max) {
                best = at;
                max = x[at];
              }
            }
          }
          if (!avg && best >= 0) {
            dx[best] += g;
          }
        }
      }
    }
  }

  static void dropout(float[] x, float[] y, int rows, int cols, long key, long firstRow, float rate) {
    float keepScale = 1f / (1f - rate);
    for (int r = 0; r < rows; r++) {
      long rowKey = (firstRow + r) * cols;
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        y[base + c] = DropoutMask.kept(key, rowKey + c, rate) ? x[base + c] * keepScale : 0f;
      }
    }
  }

  /**
   * Per channel: Σ a and Σ a·b over batch and space, in double, summed in (n, i) order. Each (n, ch) plane is
   * bulk-copied into planeA (and planeB, or null when b is a) so the loop runs on arrays in cache.
   */
  static void channelSums(FloatBuffer a, FloatBuffer b, int batch, int channels, int spatial, double[] sumA,
                          double[] sumAB, float[] planeA, float[] planeB) {
    for (int ch = 0; ch < channels; ch++) {
      double sa = 0, sab = 0;
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + ch) * spatial;
        a.get(base, planeA, 0, spatial);
        float[] other = planeA;
        if (planeB != null) {
          b.get(base, planeB, 0, spatial);
          other = planeB;
        }
        for (int i = 0; i < spatial; i++) {
          float v = planeA[i];
          sa += v;
          sab += (double) v * other[i];
        }
      }
      sumA[ch] = sa;
      sumAB[ch] = sab;
    }
  }

  static void channelAffine(float[] a, float[] scaleA, float[] b, float[] scaleB, float[] shift, float[] out,
                            int batch, int channels, int spatial) {
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < channels; ch++) {
        int base = (n * channels + ch) * spatial;
        float sa = scaleA[ch], sh = shift[ch], sb = b == null ? 0f : scaleB[ch];
        if (b == null) {
          for (int i = base; i < base + spatial; i++) {
            out[i] = sa * a[i] + sh;
          }
        } else {
          for (int i = base; i < base + spatial; i++) {
            out[i] = sa * a[i] + sb * b[i] + sh;
          }
        }
      }
    }
  }
}

package dev.lockstep.tensor;

import java.nio.FloatBuffer;

/**
 * The CPU loops behind {@link CpuBackend}'s image ops (see {@link Backend} for their contracts): plain loops over
 * direct buffers in memory order. The convolution's arithmetic is in the GEMMs around im2col/col2im, which OpenBLAS
 * runs on its threads; these loops move data and are memory-bound.
 */
final class CpuImageOps {
  private CpuImageOps() {}

  static void im2col(FloatBuffer x, FloatBuffer cols, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), positions = ho * wo, image = w.inSize();
    int out = 0; // walks cols in memory order: image, (c, i, j), (oh, ow)
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < w.channels(); ch++) {
        int plane = n * image + ch * h * wd;
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            for (int oh = 0; oh < ho; oh++) {
              int ih = oh * s - p + i;
              if (ih < 0 || ih >= h) {
                for (int ow = 0; ow < wo; ow++) {
                  cols.put(out++, 0f);
                }
                continue;
              }
              int rowBase = plane + ih * wd;
              for (int ow = 0; ow < wo; ow++) {
                int iw = ow * s - p + j;
                cols.put(out++, iw >= 0 && iw < wd ? x.get(rowBase + iw) : 0f);
              }
            }
          }
        }
      }
    }
    assert out == batch * w.patchSize() * positions;
  }

  static void col2im(FloatBuffer cols, FloatBuffer dx, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), image = w.inSize();
    for (int i = 0, total = batch * image; i < total; i++) {
      dx.put(i, 0f);
    }
    int in = 0;
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < w.channels(); ch++) {
        int plane = n * image + ch * h * wd;
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            for (int oh = 0; oh < ho; oh++) {
              int ih = oh * s - p + i;
              if (ih < 0 || ih >= h) {
                in += wo;
                continue;
              }
              int rowBase = plane + ih * wd;
              for (int ow = 0; ow < wo; ow++, in++) {
                int iw = ow * s - p + j;
                if (iw >= 0 && iw < wd) {
                  dx.put(rowBase + iw, dx.get(rowBase + iw) + cols.get(in));
                }
              }
            }
          }
        }
      }
    }
  }

  static void pool2d(boolean avg, FloatBuffer x, FloatBuffer y, int batch, Window2d w) {
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
            float acc = avg ? 0f : x.get(corner);
            for (int i = 0; i < k; i++) {
              for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                float v = x.get(at);
                acc = avg ? acc + v : Math.max(acc, v);
              }
            }
            y.put(out, avg ? acc * inv : acc);
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
                float v = x.get(base + ih * wd + iw);
                acc = avg ? acc + v : Math.max(acc, v);
              }
            }
          }
          y.put(out, avg ? acc * inv : acc);
        }
      }
    }
  }

  static void pool2dBackward(boolean avg, FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int batch, Window2d w) {
    int h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth();
    float inv = 1f / (k * k);
    int planes = batch * w.channels(), out = 0;
    for (int i = 0, n = planes * h * wd; i < n; i++) {
      dx.put(i, 0f);
    }
    if (p == 0) { // every window lies inside the image: no bounds checks
      for (int pl = 0; pl < planes; pl++) {
        int base = pl * h * wd;
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++, out++) {
            int corner = base + oh * s * wd + ow * s;
            float g = dy.get(out);
            if (avg) {
              for (int i = 0; i < k; i++) {
                for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                  dx.put(at, dx.get(at) + g * inv);
                }
              }
            } else {
              int best = corner;
              float max = x.get(corner);
              for (int i = 0; i < k; i++) {
                for (int j = 0, at = corner + i * wd; j < k; j++, at++) {
                  if (x.get(at) > max) {
                    max = x.get(at);
                    best = at;
                  }
                }
              }
              dx.put(best, dx.get(best) + g);
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
          float g = dy.get(out);
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
                dx.put(at, dx.get(at) + g * inv);
              } else if (best < 0 || x.get(at) > max) {
                best = at;
                max = x.get(at);
              }
            }
          }
          if (!avg && best >= 0) {
            dx.put(best, dx.get(best) + g);
          }
        }
      }
    }
  }

  static void dropout(FloatBuffer x, FloatBuffer y, int rows, int cols, long key, long firstRow, float rate) {
    float keepScale = 1f / (1f - rate);
    for (int r = 0; r < rows; r++) {
      long rowKey = (firstRow + r) * cols;
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        y.put(base + c, DropoutMask.kept(key, rowKey + c, rate) ? x.get(base + c) * keepScale : 0f);
      }
    }
  }

  static void channelSums(FloatBuffer a, FloatBuffer b, int batch, int channels, int spatial, double[] sumA,
                          double[] sumAB) {
    for (int ch = 0; ch < channels; ch++) {
      double sa = 0, sab = 0;
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + ch) * spatial;
        for (int i = 0; i < spatial; i++) {
          float v = a.get(base + i);
          sa += v;
          sab += (double) v * b.get(base + i);
        }
      }
      sumA[ch] = sa;
      sumAB[ch] = sab;
    }
  }

  static void channelAffine(FloatBuffer a, float[] scaleA, FloatBuffer b, float[] scaleB, float[] shift,
                            FloatBuffer out, int batch, int channels, int spatial) {
    for (int n = 0; n < batch; n++) {
      for (int ch = 0; ch < channels; ch++) {
        int base = (n * channels + ch) * spatial;
        float sa = scaleA[ch], sh = shift[ch], sb = b == null ? 0f : scaleB[ch];
        if (b == null) {
          for (int i = 0; i < spatial; i++) {
            out.put(base + i, sa * a.get(base + i) + sh);
          }
        } else {
          for (int i = 0; i < spatial; i++) {
            out.put(base + i, sa * a.get(base + i) + sb * b.get(base + i) + sh);
          }
        }
      }
    }
  }
}

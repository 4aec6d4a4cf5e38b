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
    int c = w.channels(), h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), patch = w.patchSize(), image = w.inSize();
    int row = 0;
    for (int n = 0; n < batch; n++) {
      int xBase = n * image;
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++, row++) {
          int out = row * patch;
          for (int ch = 0; ch < c; ch++) {
            int plane = xBase + ch * h * wd;
            for (int i = 0; i < k; i++) {
              int ih = oh * s - p + i;
              boolean rowInside = ih >= 0 && ih < h;
              for (int j = 0; j < k; j++, out++) {
                int iw = ow * s - p + j;
                cols.put(out, rowInside && iw >= 0 && iw < wd ? x.get(plane + ih * wd + iw) : 0f);
              }
            }
          }
        }
      }
    }
  }

  static void col2im(FloatBuffer cols, FloatBuffer dx, int batch, Window2d w) {
    int c = w.channels(), h = w.height(), wd = w.width(), k = w.kernel(), s = w.stride(), p = w.padding();
    int ho = w.outHeight(), wo = w.outWidth(), patch = w.patchSize(), image = w.inSize();
    int total = batch * image;
    for (int i = 0; i < total; i++) {
      dx.put(i, 0f);
    }
    int row = 0;
    for (int n = 0; n < batch; n++) {
      int xBase = n * image;
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++, row++) {
          int in = row * patch;
          for (int ch = 0; ch < c; ch++) {
            int plane = xBase + ch * h * wd;
            for (int i = 0; i < k; i++) {
              int ih = oh * s - p + i;
              boolean rowInside = ih >= 0 && ih < h;
              for (int j = 0; j < k; j++, in++) {
                int iw = ow * s - p + j;
                if (rowInside && iw >= 0 && iw < wd) {
                  int at = plane + ih * wd + iw;
                  dx.put(at, dx.get(at) + cols.get(in));
                }
              }
            }
          }
        }
      }
    }
  }

  static void transposeBatched(FloatBuffer src, FloatBuffer dst, int batch, int rows, int cols) {
    int size = rows * cols;
    final int tile = 32; // blocks keep both the rows read and the rows written in cache
    for (int n = 0; n < batch; n++) {
      int base = n * size;
      for (int r0 = 0; r0 < rows; r0 += tile) {
        int r1 = Math.min(rows, r0 + tile);
        for (int c0 = 0; c0 < cols; c0 += tile) {
          int c1 = Math.min(cols, c0 + tile);
          for (int r = r0; r < r1; r++) {
            for (int col = c0; col < c1; col++) {
              dst.put(base + col * rows + r, src.get(base + r * cols + col));
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

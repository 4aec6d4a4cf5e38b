package dev.lockstep.tensor;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas;

/**
 * The CPU backend: GEMM through OpenBLAS (JavaCPP), everything else in plain Java loops over direct buffers
 * ({@link CpuBuf}). One instance per rank; it is not thread-safe (it keeps a scratch array).
 *
 * <p><b>Threads are global.</b> OpenBLAS is a native library loaded once per JVM, and its thread count is one
 * process-wide setting. Under MPJ's {@code multicore} device all ranks are threads of one JVM, so every rank's
 * {@link #create(int)} writes the same setting — the last writer wins and all ranks' GEMMs use it. Callers
 * should therefore pass the same value on every rank (cores / ranks); concurrent GEMMs from several ranks then
 * each use that many OpenBLAS threads. The bundled OpenBLAS (0.3.31, pthreads build) accepts concurrent calls from
 * several threads; CpuBackendGemmTest checks that rank threads calling it at once get correct results.
 *
 * <p>GELU is the tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), and its backward is the
 * exact derivative of that approximation.
 */
public final class CpuBackend implements Backend {
  private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
  private static final float GELU_C = 0.044715f;
  private static final int CHUNK = 8192; // floats per array chunk of the streaming loops: stays in L1/L2

  private double[] columnSums = new double[0]; // scratch for sumRows, grown on demand
  // scratch arrays of the loops that run on heap arrays between bulk copies, grown on demand
  private final float[][] scratch = {new float[0], new float[0], new float[0], new float[0]};

  private CpuBackend() {}

  /**
   * A CPU backend; {@code threads > 0} sets OpenBLAS's (process-wide, see class note) thread count, 0 leaves
   * it as it is.
   */
  public static CpuBackend create(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("backend.threads: must be >= 0, got " + threads);
    }
    if (threads > 0) {
      openblas.blas_set_num_threads(threads);
    }
    return new CpuBackend();
  }

  /** OpenBLAS's current process-wide thread count. */
  public static int blasThreads() {
    return openblas.blas_get_num_threads();
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public CpuBuf allocate(long length) {
    return CpuBuf.allocate(length);
  }

  @Override
  public void upload(float[] src, int srcOffset, Buf dst) {
    FloatBuffer d = data(dst);
    if (srcOffset < 0 || srcOffset + d.capacity() > src.length) {
      throw new IndexOutOfBoundsException("upload of " + d.capacity() + " floats from offset " + srcOffset
          + " of a float[" + src.length + "]");
    }
    d.put(0, src, srcOffset, d.capacity());
  }

  @Override
  public void download(Buf src, float[] dst, int dstOffset) {
    FloatBuffer s = data(src);
    if (dstOffset < 0 || dstOffset + s.capacity() > dst.length) {
      throw new IndexOutOfBoundsException("download of " + s.capacity() + " floats to offset " + dstOffset
          + " of a float[" + dst.length + "]");
    }
    s.get(0, dst, dstOffset, s.capacity());
  }

  @Override
  public void copy(Buf src, Buf dst) {
    FloatBuffer s = data(src);
    FloatBuffer d = data(dst);
    sameLength("copy", s, d);
    d.put(0, s, 0, s.capacity());
  }

  @Override
  public void fill(Buf dst, float value) {
    FloatBuffer d = data(dst);
    int n = d.capacity();
    for (int i = 0; i < n; i++) {
      d.put(i, value);
    }
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
                   float alpha, Buf a, Buf b, float beta, Buf c) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm with negative size m=" + m + " n=" + n + " k=" + k);
    }
    needs("gemm A", a, (long) m * k);
    needs("gemm B", b, (long) k * n);
    needs("gemm C", c, (long) m * n);
    if (m == 0 || n == 0) {
      return;
    }
    CpuBuf cb = (CpuBuf) c;
    if (k == 0) { // C = beta·C; BLAS would want lda >= 1 for an empty operand
      scale(cb.view(0, (long) m * n), beta);
      return;
    }
    // Row-major: A is m×k (lda = k) or, transposed, stored k×m (lda = m); likewise B.
    openblas.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        m, n, k, alpha, ((CpuBuf) a).pointer(), transA ? m : k, ((CpuBuf) b).pointer(), transB ? k : n,
        beta, cb.pointer(), n);
  }

  @Override
  public void addRowVector(Buf y, Buf bias, int rows, int cols) {
    FloatBuffer yd = data(y);
    FloatBuffer bd = data(bias);
    needs("addRowVector y", y, (long) rows * cols);
    needs("addRowVector bias", bias, cols);
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int col = 0; col < cols; col++) {
        yd.put(base + col, yd.get(base + col) + bd.get(col));
      }
    }
  }

  @Override
  public void sumRows(Buf x, Buf out, int rows, int cols, float beta) {
    FloatBuffer xd = data(x);
    FloatBuffer od = data(out);
    needs("sumRows x", x, (long) rows * cols);
    needs("sumRows out", out, cols);
    if (columnSums.length < cols) {
      columnSums = new double[cols];
    }
    double[] acc = columnSums; // rows outer, columns inner: walks x in memory order
    for (int col = 0; col < cols; col++) {
      acc[col] = beta == 0f ? 0.0 : (double) beta * od.get(col);
    }
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int col = 0; col < cols; col++) {
        acc[col] += xd.get(base + col);
      }
    }
    for (int col = 0; col < cols; col++) {
      od.put(col, (float) acc[col]);
    }
  }

  @Override
  public void activation(Activation f, Buf x, Buf y) {
    FloatBuffer xd = data(x);
    FloatBuffer yd = data(y);
    sameLength("activation", xd, yd);
    int n = xd.capacity();
    switch (f) {
      case RELU -> { // cache-sized chunks on an array: a loop the JIT vectorises, between two bulk copies
        float[] xa = scratch(0, Math.min(n, CHUNK));
        for (int at = 0; at < n; at += CHUNK) {
          int len = Math.min(CHUNK, n - at);
          xd.get(at, xa, 0, len);
          for (int i = 0; i < len; i++) {
            float v = xa[i];
            xa[i] = v > 0f ? v : 0f;
          }
          yd.put(at, xa, 0, len);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          yd.put(i, (float) Math.tanh(xd.get(i)));
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          yd.put(i, sigmoid(xd.get(i)));
        }
      }
      case GELU -> {
        for (int i = 0; i < n; i++) {
          float v = xd.get(i);
          float t = (float) Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
          yd.put(i, 0.5f * v * (1f + t));
        }
      }
    }
  }

  @Override
  public void activationBackward(Activation f, Buf x, Buf y, Buf dy, Buf dx) {
    FloatBuffer xd = data(x);
    FloatBuffer yd = data(y);
    FloatBuffer dyd = data(dy);
    FloatBuffer dxd = data(dx);
    sameLength("activationBackward x/y", xd, yd);
    sameLength("activationBackward x/dy", xd, dyd);
    sameLength("activationBackward x/dx", xd, dxd);
    int n = xd.capacity();
    switch (f) {
      case RELU -> {
        float[] xa = scratch(0, Math.min(n, CHUNK)), dya = scratch(1, Math.min(n, CHUNK));
        for (int at = 0; at < n; at += CHUNK) {
          int len = Math.min(CHUNK, n - at);
          xd.get(at, xa, 0, len);
          dyd.get(at, dya, 0, len);
          for (int i = 0; i < len; i++) {
            dya[i] = xa[i] > 0f ? dya[i] : 0f;
          }
          dxd.put(at, dya, 0, len);
        }
      }
      case TANH -> { // tanh' = 1 − y²
        for (int i = 0; i < n; i++) {
          float t = yd.get(i);
          dxd.put(i, dyd.get(i) * (1f - t * t));
        }
      }
      case SIGMOID -> { // σ' = y·(1 − y)
        for (int i = 0; i < n; i++) {
          float s = yd.get(i);
          dxd.put(i, dyd.get(i) * s * (1f - s));
        }
      }
      case GELU -> { // needs the true x: y alone does not determine it
        for (int i = 0; i < n; i++) {
          float v = xd.get(i);
          float v2 = v * v;
          float t = (float) Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v2 * v));
          float dInner = SQRT_2_OVER_PI * (1f + 3f * GELU_C * v2);
          float d = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * dInner;
          dxd.put(i, dyd.get(i) * d);
        }
      }
    }
  }

  @Override
  public void axpy(float alpha, Buf x, Buf y) {
    FloatBuffer xd = data(x);
    FloatBuffer yd = data(y);
    sameLength("axpy", xd, yd);
    int n = xd.capacity();
    int most = Math.min(n, CHUNK);
    float[] xa = scratch(0, most), ya = scratch(1, most);
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      xd.get(at, xa, 0, len);
      yd.get(at, ya, 0, len);
      for (int i = 0; i < len; i++) {
        ya[i] = ya[i] + alpha * xa[i];
      }
      yd.put(at, ya, 0, len);
    }
  }

  @Override
  public void scale(Buf x, float alpha) {
    FloatBuffer xd = data(x);
    int n = xd.capacity();
    float[] xa = scratch(0, Math.min(n, CHUNK));
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      xd.get(at, xa, 0, len);
      for (int i = 0; i < len; i++) {
        xa[i] = xa[i] * alpha;
      }
      xd.put(at, xa, 0, len);
    }
  }

  @Override
  public double sumOfSquares(Buf x) {
    FloatBuffer xd = data(x);
    int n = xd.capacity();
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      double v = xd.get(i);
      s += v * v;
    }
    return s;
  }

  @Override
  public boolean allFinite(Buf x) {
    FloatBuffer xd = data(x);
    int n = xd.capacity();
    float[] xa = scratch(0, Math.min(n, CHUNK));
    for (int at = 0; at < n; at += CHUNK) { // chunks on an array: runs every step over all gradients
      int len = Math.min(CHUNK, n - at);
      xd.get(at, xa, 0, len);
      for (int i = 0; i < len; i++) {
        if (!Float.isFinite(xa[i])) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void sgdStep(Buf w, Buf g, Buf m, float lr, float momentum, boolean nesterov, float weightDecay) {
    FloatBuffer wd = data(w);
    FloatBuffer gd = data(g);
    sameLength("sgdStep w/g", wd, gd);
    int n = wd.capacity();
    if (momentum == 0f) {
      for (int i = 0; i < n; i++) {
        float wi = wd.get(i);
        wd.put(i, wi - lr * (gd.get(i) + weightDecay * wi));
      }
      return;
    }
    if (m == null) {
      throw new IllegalArgumentException("sgdStep with momentum " + momentum + " needs a momentum buffer");
    }
    FloatBuffer md = data(m);
    sameLength("sgdStep w/m", wd, md);
    for (int i = 0; i < n; i++) {
      float wi = wd.get(i);
      float gi = gd.get(i) + weightDecay * wi;
      float mi = momentum * md.get(i) + gi;
      md.put(i, mi);
      wd.put(i, wi - lr * (nesterov ? gi + momentum * mi : mi));
    }
  }

  @Override
  public void adamStep(Buf w, Buf g, Buf m, Buf v, float lr, float beta1, float beta2, float eps,
                       float weightDecay, boolean decoupled, long t) {
    if (t < 1) {
      throw new IllegalArgumentException("adamStep: step number t is 1-based, got " + t);
    }
    FloatBuffer wd = data(w);
    FloatBuffer gd = data(g);
    FloatBuffer md = data(m);
    FloatBuffer vd = data(v);
    sameLength("adamStep w/g", wd, gd);
    sameLength("adamStep w/m", wd, md);
    sameLength("adamStep w/v", wd, vd);
    // Bias corrections folded into the step size and the denominator, as PyTorch does.
    float stepSize = (float) (lr / (1.0 - Math.pow(beta1, t)));
    float sqrtCorrection2 = (float) Math.sqrt(1.0 - Math.pow(beta2, t));
    float decay = decoupled ? 1f - lr * weightDecay : 1f;
    float l2 = decoupled ? 0f : weightDecay;
    int n = wd.capacity();
    int most = Math.min(n, CHUNK);
    float[] wa = scratch(0, most), ga = scratch(1, most), ma = scratch(2, most), va = scratch(3, most);
    for (int at = 0; at < n; at += CHUNK) { // cache-sized chunks on arrays, between bulk copies
      int len = Math.min(CHUNK, n - at);
      wd.get(at, wa, 0, len);
      gd.get(at, ga, 0, len);
      md.get(at, ma, 0, len);
      vd.get(at, va, 0, len);
      for (int i = 0; i < len; i++) {
        float wi = wa[i];
        float gi = ga[i] + l2 * wi;
        float mi = beta1 * ma[i] + (1f - beta1) * gi;
        float vi = beta2 * va[i] + (1f - beta2) * gi * gi;
        ma[i] = mi;
        va[i] = vi;
        float denom = (float) Math.sqrt(vi) / sqrtCorrection2 + eps;
        wa[i] = wi * decay - stepSize * mi / denom;
      }
      md.put(at, ma, 0, len);
      vd.put(at, va, 0, len);
      wd.put(at, wa, 0, len);
    }
  }

  @Override
  public void im2col(Buf x, Buf cols, int batch, Window2d w) {
    int nx = Math.toIntExact((long) batch * w.inSize());
    int nc = Math.toIntExact((long) batch * w.outPositions() * w.patchSize());
    needs("im2col x", x, nx);
    needs("im2col cols", cols, nc);
    float[] xa = in(0, x, nx), ca = scratch(1, nc);
    CpuImageOps.im2col(xa, ca, batch, w);
    data(cols).put(0, ca, 0, nc);
  }

  @Override
  public void col2im(Buf cols, Buf dx, int batch, Window2d w) {
    int nc = Math.toIntExact((long) batch * w.outPositions() * w.patchSize());
    int nx = Math.toIntExact((long) batch * w.inSize());
    needs("col2im cols", cols, nc);
    needs("col2im dx", dx, nx);
    float[] ca = in(0, cols, nc), dxa = scratch(1, nx);
    CpuImageOps.col2im(ca, dxa, batch, w);
    data(dx).put(0, dxa, 0, nx);
  }

  @Override
  public void pool2d(boolean avg, Buf x, Buf y, int batch, Window2d w) {
    int nx = Math.toIntExact((long) batch * w.inSize());
    int ny = Math.toIntExact((long) batch * w.channels() * w.outPositions());
    needs("pool2d x", x, nx);
    needs("pool2d y", y, ny);
    // Planes are independent: pool a few at a time so the arrays stay in cache.
    Window2d plane = new Window2d(1, w.height(), w.width(), w.kernel(), w.stride(), w.padding());
    int in = plane.inSize(), outSize = plane.outPositions(), planes = batch * w.channels();
    int group = Math.max(1, CHUNK / in);
    float[] xa = scratch(0, Math.min(planes, group) * in), ya = scratch(1, Math.min(planes, group) * outSize);
    FloatBuffer xd = data(x), yd = data(y);
    for (int first = 0; first < planes; first += group) {
      int g = Math.min(group, planes - first);
      xd.get(first * in, xa, 0, g * in);
      CpuImageOps.pool2d(avg, xa, ya, g, plane);
      yd.put(first * outSize, ya, 0, g * outSize);
    }
  }

  @Override
  public void pool2dBackward(boolean avg, Buf x, Buf dy, Buf dx, int batch, Window2d w) {
    int nx = Math.toIntExact((long) batch * w.inSize());
    int ny = Math.toIntExact((long) batch * w.channels() * w.outPositions());
    needs("pool2dBackward x", x, nx);
    needs("pool2dBackward dy", dy, ny);
    needs("pool2dBackward dx", dx, nx);
    Window2d plane = new Window2d(1, w.height(), w.width(), w.kernel(), w.stride(), w.padding());
    int in = plane.inSize(), outSize = plane.outPositions(), planes = batch * w.channels();
    int group = Math.max(1, CHUNK / in), most = Math.min(planes, group);
    float[] xa = scratch(0, most * in), dya = scratch(1, most * outSize), dxa = scratch(2, most * in);
    FloatBuffer xd = data(x), dyd = data(dy), dxd = data(dx);
    for (int first = 0; first < planes; first += group) {
      int g = Math.min(group, planes - first);
      xd.get(first * in, xa, 0, g * in);
      dyd.get(first * outSize, dya, 0, g * outSize);
      CpuImageOps.pool2dBackward(avg, xa, dya, dxa, g, plane);
      dxd.put(first * in, dxa, 0, g * in);
    }
  }

  @Override
  public void dropout(Buf x, Buf y, int rows, int cols, long key, long firstRow, float rate) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    int n = Math.toIntExact((long) rows * cols);
    needs("dropout x", x, n);
    needs("dropout y", y, n);
    float[] xa = in(0, x, n), ya = scratch(1, n);
    CpuImageOps.dropout(xa, ya, rows, cols, key, firstRow, rate);
    data(y).put(0, ya, 0, n);
  }

  @Override
  public void channelSums(Buf a, Buf b, int batch, int channels, int spatial, double[] sumA, double[] sumAB) {
    int n = Math.toIntExact((long) batch * channels * spatial);
    needs("channelSums a", a, n);
    needs("channelSums b", b, n);
    float[] planeA = scratch(0, spatial), planeB = a == b ? null : scratch(1, spatial);
    CpuImageOps.channelSums(data(a), data(b), batch, channels, spatial, sumA, sumAB, planeA, planeB);
  }

  @Override
  public void channelAffine(Buf a, float[] scaleA, Buf b, float[] scaleB, float[] shift, Buf out, int batch,
                            int channels, int spatial) {
    int n = Math.toIntExact((long) batch * channels * spatial);
    needs("channelAffine a", a, n);
    needs("channelAffine out", out, n);
    if (b != null) {
      needs("channelAffine b", b, n);
    }
    float[] aa = in(0, a, n), ba = b == null ? null : in(1, b, n), oa = scratch(2, n);
    CpuImageOps.channelAffine(aa, scaleA, ba, scaleB, shift, oa, batch, channels, spatial);
    data(out).put(0, oa, 0, n);
  }

  /** Scratch array {@code slot} with room for n floats (contents undefined). */
  private float[] scratch(int slot, int n) {
    if (scratch[slot].length < n) {
      scratch[slot] = new float[n];
    }
    return scratch[slot];
  }

  /** The first n floats of b, bulk-copied into scratch array {@code slot}. */
  private float[] in(int slot, Buf b, int n) {
    float[] a = scratch(slot, n);
    data(b).get(0, a, 0, n);
    return a;
  }

  private static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
  }

  private static FloatBuffer data(Buf b) {
    if (b instanceof CpuBuf cb) {
      return cb.data();
    }
    throw new IllegalArgumentException("cpu backend got a buffer of another backend: " + b);
  }

  private static void sameLength(String op, FloatBuffer a, FloatBuffer b) {
    if (a.capacity() != b.capacity()) {
      throw new IllegalArgumentException(op + ": lengths differ (" + a.capacity() + " vs " + b.capacity() + ")");
    }
  }

  private static void needs(String what, Buf b, long floats) {
    if (!(b instanceof CpuBuf)) {
      throw new IllegalArgumentException("cpu backend got a buffer of another backend: " + b);
    }
    if (b.length() < floats) {
      throw new IllegalArgumentException(what + ": needs " + floats + " floats, buffer has " + b.length());
    }
  }
}

package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaTestSupport.assertClose;
import static dev.lockstep.tensor.CudaTestSupport.get;
import static dev.lockstep.tensor.CudaTestSupport.put;
import static dev.lockstep.tensor.CudaTestSupport.relativeFloorOne;
import static dev.lockstep.tensor.CudaTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every non-GEMM op of {@link CudaBackend} against a float64 reference written here, on fresh random inputs,
 * odd shapes and views at offsets (padding guarded). Elementwise results must be within 1e-5 · max(1, |ref|).
 */
@Tag("gpu")
class CudaBackendGpuTest {
  private static final double TOL = 1e-5;
  private static final double GELU_K = Math.sqrt(2.0 / Math.PI);
  private static CudaBackend be;

  @BeforeAll
  static void open() {
    CudaTestSupport.assumeGpu();
    be = CudaBackend.create(0, false);
    System.out.println("backend tests on " + be.describe());
  }

  @AfterAll
  static void close() {
    if (be != null) {
      be.close();
    }
  }

  // --- memory ---

  @Test
  void allocateIsZeroedAndUploadDownloadRoundTripWithOffsets() {
    SplittableRandom rng = CudaTestSupport.freshRandom("roundtrip");
    CudaBuf z = be.allocate(1001);
    assertThat(get(be, z)).containsOnly(0f);
    float[] src = uniform(rng, 50, -3, 3);
    CudaBuf b = be.allocate(37);
    be.upload(src, 11, b);
    float[] back = new float[60];
    be.download(b, back, 5);
    for (int i = 0; i < 37; i++) {
      assertThat(back[5 + i]).isEqualTo(src[11 + i]);
    }
    assertThat(back[4]).isZero();
    assertThat(back[42]).isZero();
    assertThatThrownBy(() -> be.upload(src, 14, b)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> be.download(b, back, 24)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void transfersLargerThanTheStagingBufferGoInChunks() {
    SplittableRandom rng = CudaTestSupport.freshRandom("chunked");
    try (CudaBackend small = CudaBackend.create(0, false, 1000)) {
      float[] src = uniform(rng, 4321 + 3, -1, 1);
      CudaBuf b = small.allocate(4321);
      small.upload(src, 3, b);
      float[] back = new float[4321];
      small.download(b, back, 0);
      for (int i = 0; i < back.length; i++) {
        assertThat(back[i]).as("element %d", i).isEqualTo(src[3 + i]);
      }
    }
  }

  @Test
  void copyFillAxpyScaleOnViews() {
    SplittableRandom rng = CudaTestSupport.freshRandom("copy/fill/axpy/scale");
    int n = 3001;
    float[] x = uniform(rng, n, -2, 2);
    float[] y = uniform(rng, n, -2, 2);
    var gx = new CudaTestSupport.Guarded(be, x, 3, 2);
    var gy = new CudaTestSupport.Guarded(be, y, 1, 4);
    be.axpy(-0.3f, gx.view, gy.view);
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      ref[i] = y[i] + -0.3 * x[i];
    }
    assertClose("axpy", get(be, gy.view), ref, relativeFloorOne(ref), TOL);
    be.scale(gy.view, 1.7f);
    for (int i = 0; i < n; i++) {
      ref[i] *= 1.7;
    }
    assertClose("scale", get(be, gy.view), ref, relativeFloorOne(ref), TOL);
    be.copy(gx.view, gy.view);
    assertThat(get(be, gy.view)).containsExactly(x);
    be.fill(gx.view, -2.5f);
    assertThat(get(be, gx.view)).containsOnly(-2.5f);
    gx.assertPaddingIntact(be);
    gy.assertPaddingIntact(be);
  }

  @Test
  void lengthMismatchesAndForeignBuffersAreRejected() {
    CudaBuf a = be.allocate(10);
    CudaBuf b = be.allocate(11);
    assertThatThrownBy(() -> be.axpy(1f, a, b)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("axpy").hasMessageContaining("10 vs 11");
    assertThatThrownBy(() -> be.gemm(false, false, 4, 4, 4, 1f, a, a, 0f, a))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gemm A: needs 16 floats");
    try (CudaBackend other = CudaBackend.create(0, false)) {
      CudaBuf foreign = other.allocate(10);
      assertThatThrownBy(() -> be.copy(foreign, a)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("did not allocate");
    }
    assertThatThrownBy(() -> a.view(5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void operationsOnAClosedBackendFail() {
    CudaBackend closed = CudaBackend.create(0, false);
    CudaBuf b = closed.allocate(4);
    closed.close();
    assertThatThrownBy(() -> closed.fill(b, 1f)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  // --- rows and columns ---

  @ParameterizedTest(name = "rows={0} cols={1}")
  @CsvSource({"1,1", "7,3", "130,1029", "8192,10"})
  void addRowVectorBroadcastsOverRows(int rows, int cols) {
    SplittableRandom rng = CudaTestSupport.freshRandom("addRowVector");
    float[] y = uniform(rng, rows * cols, -1, 1);
    float[] bias = uniform(rng, cols, -1, 1);
    var gy = new CudaTestSupport.Guarded(be, y, 5, 3);
    var gb = new CudaTestSupport.Guarded(be, bias, 2, 2);
    be.addRowVector(gy.view, gb.view, rows, cols);
    double[] ref = new double[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        ref[r * cols + c] = (double) y[r * cols + c] + bias[c];
      }
    }
    assertClose("addRowVector", get(be, gy.view), ref, relativeFloorOne(ref), TOL);
    gy.assertPaddingIntact(be);
    gb.assertPaddingIntact(be);
  }

  /** Sums are exact in double up to the final rounding: error ≤ 1e-6 of Σ|x| + |β·out|. */
  @ParameterizedTest(name = "rows={0} cols={1} beta={2}")
  @CsvSource({"1,1,0", "7,3,0.5", "130,1029,0", "8192,10,1", "100000,3,0.5", "0,4,0.5", "64,33,0", "65,33,0"})
  void sumRowsAddsColumnsInDouble(int rows, int cols, float beta) {
    SplittableRandom rng = CudaTestSupport.freshRandom("sumRows");
    float[] x = uniform(rng, rows * cols, -1, 1);
    float[] out = uniform(rng, cols, -1, 1);
    if (beta == 0f) {
      out[0] = Float.NaN; // beta = 0 must ignore what is in out, NaN included
    }
    var gx = new CudaTestSupport.Guarded(be, x, 1, 1);
    var go = new CudaTestSupport.Guarded(be, out, 3, 3);
    be.sumRows(gx.view, go.view, rows, cols, beta);
    double[] ref = new double[cols];
    double[] scale = new double[cols];
    for (int c = 0; c < cols; c++) {
      double s = beta == 0f ? 0 : (double) beta * out[c];
      double a = Math.abs(s);
      for (int r = 0; r < rows; r++) {
        s += x[r * cols + c];
        a += Math.abs(x[r * cols + c]);
      }
      ref[c] = s;
      scale[c] = Math.max(a, 1e-30);
    }
    assertClose("sumRows", get(be, go.view), ref, scale, 1e-6);
    gx.assertPaddingIntact(be);
    go.assertPaddingIntact(be);
  }

  // --- activations ---

  @ParameterizedTest
  @EnumSource(Activation.class)
  void activationForwardMatchesReference(Activation f) {
    SplittableRandom rng = CudaTestSupport.freshRandom("activation " + f);
    int n = 4099;
    float[] x = uniform(rng, n, -8, 8);
    x[0] = 0f;
    x[1] = -0f;
    x[2] = 30f;
    x[3] = -30f;
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      ref[i] = forward(f).applyAsDouble(x[i]);
    }
    var gx = new CudaTestSupport.Guarded(be, x, 7, 1);
    var gy = new CudaTestSupport.Guarded(be, new float[n], 1, 7);
    be.activation(f, gx.view, gy.view);
    assertClose(f + " forward", get(be, gy.view), ref, relativeFloorOne(ref), TOL);
    be.activation(f, gx.view, gx.view); // in place
    assertClose(f + " forward in place", get(be, gx.view), ref, relativeFloorOne(ref), TOL);
    gx.assertPaddingIntact(be);
    gy.assertPaddingIntact(be);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void activationBackwardMatchesReference(Activation f) {
    SplittableRandom rng = CudaTestSupport.freshRandom("activation backward " + f);
    int n = 5003;
    float[] x = uniform(rng, n, -6, 6);
    float[] dy = uniform(rng, n, -2, 2);
    CudaBuf xb = put(be, x);
    CudaBuf yb = be.allocate(n);
    be.activation(f, xb, yb);
    double[] ref = new double[n];
    double[] scale = new double[n];
    for (int i = 0; i < n; i++) {
      ref[i] = dy[i] * derivative(f).applyAsDouble(x[i]);
      scale[i] = Math.max(1.0, Math.abs(ref[i]));
    }
    var gdy = new CudaTestSupport.Guarded(be, dy, 2, 2);
    var gdx = new CudaTestSupport.Guarded(be, new float[n], 2, 2);
    be.activationBackward(f, xb, yb, gdy.view, gdx.view);
    assertClose(f + " backward", get(be, gdx.view), ref, scale, TOL);
    be.activationBackward(f, xb, yb, gdy.view, gdy.view); // dx may be dy
    assertClose(f + " backward in place", get(be, gdy.view), ref, scale, TOL);
    gdy.assertPaddingIntact(be);
    gdx.assertPaddingIntact(be);
  }

  /** The float64 derivatives above are themselves checked against central differences of the forward. */
  @ParameterizedTest
  @EnumSource(Activation.class)
  void referenceDerivativesAgreeWithFiniteDifferences(Activation f) {
    SplittableRandom rng = CudaTestSupport.freshRandom("finite differences " + f);
    double h = 1e-5;
    for (int i = 0; i < 200; i++) {
      double x = -6 + 12 * rng.nextDouble();
      if (f == Activation.RELU && Math.abs(x) < 1e-3) {
        continue; // kink
      }
      double fd = (forward(f).applyAsDouble(x + h) - forward(f).applyAsDouble(x - h)) / (2 * h);
      assertThat(derivative(f).applyAsDouble(x)).as("%s'(%s)", f, x).isCloseTo(fd, org.assertj.core.data.Offset.offset(1e-7));
    }
  }

  private static DoubleUnaryOperator forward(Activation f) {
    return switch (f) {
      case RELU -> x -> x > 0 ? x : 0;
      case TANH -> Math::tanh;
      case SIGMOID -> x -> 1 / (1 + Math.exp(-x));
      case GELU -> x -> 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x)));
    };
  }

  private static DoubleUnaryOperator derivative(Activation f) {
    return switch (f) {
      case RELU -> x -> x > 0 ? 1 : 0;
      case TANH -> x -> 1 - Math.tanh(x) * Math.tanh(x);
      case SIGMOID -> x -> {
        double s = 1 / (1 + Math.exp(-x));
        return s * (1 - s);
      };
      case GELU -> x -> {
        double t = Math.tanh(GELU_K * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
      };
    };
  }

  // --- reductions ---

  @ParameterizedTest
  @ValueSource(ints = {1, 1000, 3_000_007})
  void sumOfSquaresInDouble(int n) {
    SplittableRandom rng = CudaTestSupport.freshRandom("sumOfSquares");
    float[] x = uniform(rng, n, -3, 3);
    double ref = 0;
    for (float v : x) {
      ref += (double) v * v;
    }
    var g = new CudaTestSupport.Guarded(be, x, 5, 5);
    double got = be.sumOfSquares(g.view);
    assertThat(Math.abs(got - ref)).as("sumOfSquares %s vs %s", got, ref).isLessThanOrEqualTo(1e-10 * ref);
    assertThat(be.sumOfSquares(be.allocate(0))).isZero();
  }

  @Test
  void allFiniteFindsPlantedNanAndInfinities() {
    SplittableRandom rng = CudaTestSupport.freshRandom("allFinite");
    int n = 3_000_001;
    float[] x = uniform(rng, n, -1, 1);
    x[17] = Float.MAX_VALUE;
    x[18] = -Float.MIN_VALUE; // subnormal: finite
    CudaBuf b = put(be, x);
    assertThat(be.allFinite(b)).isTrue();
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      int at = rng.nextInt(n);
      float[] one = {bad};
      be.upload(one, 0, b.view(at, 1));
      assertThat(be.allFinite(b)).as("%s planted at %d", bad, at).isFalse();
      if (at > 0) {
        assertThat(be.allFinite(b.view(0, at))).as("view before the planted value").isTrue();
      }
      be.upload(new float[] {x[at]}, 0, b.view(at, 1));
      assertThat(be.allFinite(b)).isTrue();
    }
    be.upload(new float[] {Float.NaN}, 0, b.view(n - 1, 1));
    assertThat(be.allFinite(b)).as("NaN in the last element").isFalse();
  }

  // --- optimizers ---

  @ParameterizedTest(name = "momentum={0} nesterov={1} wd={2}")
  @CsvSource({"0,false,0", "0,false,0.01", "0.9,false,0", "0.9,true,0.001", "0.5,true,0"})
  void sgdStepMatchesReference(float momentum, boolean nesterov, float wd) {
    SplittableRandom rng = CudaTestSupport.freshRandom("sgd");
    int n = 2053;
    float lr = 0.1f;
    float[] w = uniform(rng, n, -1, 1);
    double[] rw = toDouble(w);
    double[] rm = new double[n];
    CudaBuf wb = put(be, w);
    CudaBuf mb = momentum == 0f ? null : be.allocate(n);
    for (int step = 0; step < 3; step++) {
      float[] g = uniform(rng, n, -1, 1);
      be.sgdStep(wb, put(be, g), mb, lr, momentum, nesterov, wd);
      for (int i = 0; i < n; i++) {
        double gi = g[i] + (double) wd * rw[i];
        if (momentum == 0f) {
          rw[i] -= lr * gi;
        } else {
          rm[i] = momentum * rm[i] + gi;
          rw[i] -= lr * (nesterov ? gi + momentum * rm[i] : rm[i]);
        }
      }
    }
    assertClose("sgd w", get(be, wb), rw, relativeFloorOne(rw), TOL);
    if (mb != null) {
      assertClose("sgd momentum", get(be, mb), rm, relativeFloorOne(rm), TOL);
    }
  }

  @Test
  void sgdWithMomentumNeedsAMomentumBuffer() {
    CudaBuf w = be.allocate(3);
    assertThatThrownBy(() -> be.sgdStep(w, w, null, 0.1f, 0.9f, false, 0f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("momentum buffer");
  }

  @ParameterizedTest(name = "decoupled={0} wd={1}")
  @CsvSource({"false,0", "false,0.01", "true,0.1"})
  void adamStepMatchesReference(boolean decoupled, float wd) {
    SplittableRandom rng = CudaTestSupport.freshRandom("adam");
    int n = 1531;
    float lr = 0.01f;
    float b1 = 0.9f;
    float b2 = 0.999f;
    float eps = 1e-8f;
    float[] w = uniform(rng, n, -1, 1);
    double[] rw = toDouble(w);
    double[] rm = new double[n];
    double[] rv = new double[n];
    CudaBuf wb = put(be, w);
    CudaBuf mb = be.allocate(n);
    CudaBuf vb = be.allocate(n);
    for (int t = 1; t <= 3; t++) {
      float[] g = uniform(rng, n, -1, 1);
      be.adamStep(wb, put(be, g), mb, vb, lr, b1, b2, eps, wd, decoupled, t);
      double stepSize = lr / (1 - Math.pow(b1, t));
      double sqrtC2 = Math.sqrt(1 - Math.pow(b2, t));
      for (int i = 0; i < n; i++) {
        double gi = g[i] + (decoupled ? 0 : (double) wd * rw[i]);
        rm[i] = b1 * rm[i] + (1 - (double) b1) * gi;
        rv[i] = b2 * rv[i] + (1 - (double) b2) * gi * gi;
        double decay = decoupled ? 1 - (double) lr * wd : 1;
        rw[i] = rw[i] * decay - stepSize * rm[i] / (Math.sqrt(rv[i]) / sqrtC2 + eps);
      }
    }
    assertClose("adam w", get(be, wb), rw, relativeFloorOne(rw), TOL);
    assertClose("adam m", get(be, mb), rm, relativeFloorOne(rm), TOL);
    assertClose("adam v", get(be, vb), rv, relativeFloorOne(rv), TOL);
    assertThatThrownBy(() -> be.adamStep(wb, wb, mb, vb, lr, b1, b2, eps, wd, decoupled, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-based");
  }

  // --- softmax cross-entropy (device objective used by the benchmark) ---

  @ParameterizedTest(name = "rows={0} cols={1}")
  @CsvSource({"37,10", "5,1000", "1,1", "300,33"})
  void softmaxCrossEntropyMatchesReference(int rows, int cols) {
    SplittableRandom rng = CudaTestSupport.freshRandom("softmax xent");
    float[] logits = uniform(rng, rows * cols, -10, 10);
    float[] ids = new float[rows];
    for (int r = 0; r < rows; r++) {
      ids[r] = rng.nextInt(cols);
    }
    float gradScale = 1f / rows;
    double[] refGrad = new double[rows * cols];
    double[] refLoss = new double[rows];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, logits[r * cols + c]);
      }
      double sum = 0;
      for (int c = 0; c < cols; c++) {
        sum += Math.exp(logits[r * cols + c] - max);
      }
      for (int c = 0; c < cols; c++) {
        double p = Math.exp(logits[r * cols + c] - max) / sum;
        refGrad[r * cols + c] = gradScale * (p - (c == (int) ids[r] ? 1 : 0));
      }
      refLoss[r] = Math.log(sum) - (logits[r * cols + (int) ids[r]] - max);
    }
    CudaBuf grad = be.allocate((long) rows * cols);
    CudaBuf loss = be.allocate(rows);
    be.softmaxCrossEntropy(put(be, logits), put(be, ids), rows, cols, gradScale, grad, loss);
    double[] gradScaleArr = new double[rows * cols];
    java.util.Arrays.fill(gradScaleArr, gradScale);
    assertClose("softmax xent grad", get(be, grad), refGrad, gradScaleArr, TOL);
    assertClose("softmax xent loss", get(be, loss), refLoss, relativeFloorOne(refLoss), TOL);
  }

  // --- threads, graphs, module cache ---

  @Test
  void aBackendCreatedOnOneThreadWorksOnAnother() throws Exception {
    SplittableRandom rng = CudaTestSupport.freshRandom("thread handoff");
    float[] x = uniform(rng, 999, -1, 1);
    double ref = 0;
    for (float v : x) {
      ref += (double) v * v;
    }
    try (CudaBackend handed = CudaBackend.create(0, false)) {
      CudaBuf b = put(handed, x);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Double> other = pool.submit(() -> {
          handed.scale(b, 2f);
          return handed.sumOfSquares(b);
        });
        assertThat(other.get()).isCloseTo(4 * ref, org.assertj.core.data.Offset.offset(1e-9 * ref));
      } finally {
        pool.shutdown();
      }
      assertThat(handed.sumOfSquares(b)).isCloseTo(4 * ref, org.assertj.core.data.Offset.offset(1e-9 * ref));
    }
  }

  @Test
  void aCapturedGraphReplaysTheSameWork() {
    SplittableRandom rng = CudaTestSupport.freshRandom("graph");
    int n = 4097;
    float[] x = uniform(rng, n, -1, 1);
    float[] y = uniform(rng, n, -1, 1);
    float[] cols = uniform(rng, 4 * 6, -1, 1);
    CudaBuf xb = put(be, x);
    CudaBuf yb = put(be, y);
    CudaBuf cb = put(be, cols);
    CudaBuf sums = be.allocate(6);
    Runnable work = () -> {
      be.axpy(0.5f, xb, yb); // y += 0.5 x
      be.scale(yb, 0.9f); // y *= 0.9
      be.sumRows(cb, sums, 4, 6, 1f); // sums += column sums
    };
    be.sumRows(cb, sums, 4, 6, 0f); // sizes the scratch outside capture; sums = column sums
    double[] refY = toDouble(y);
    try (CudaGraph graph = CudaGraph.capture(be, work)) {
      assertThat(get(be, yb)).as("capturing runs nothing").containsExactly(y);
      for (int rep = 0; rep < 3; rep++) {
        graph.launch();
        for (int i = 0; i < n; i++) {
          refY[i] = (refY[i] + 0.5 * x[i]) * 0.9;
        }
      }
      be.synchronize();
    }
    assertClose("graph y", get(be, yb), refY, relativeFloorOne(refY), TOL);
    double[] refSums = new double[6];
    for (int c = 0; c < 6; c++) {
      for (int r = 0; r < 4; r++) {
        refSums[c] += 4 * cols[r * 6 + c]; // once before the graph, three times by it
      }
    }
    assertClose("graph sums", get(be, sums), refSums, relativeFloorOne(refSums), TOL);
  }

  @Test
  void kernelsAreCompiledOncePerDevice() {
    try (CudaBackend a = CudaBackend.create(0, true); CudaBackend b = CudaBackend.create(0, false)) {
      a.fill(a.allocate(3), 1f);
      b.fill(b.allocate(3), 1f);
    }
    assertThat(CudaModuleCache.compilations()).isEqualTo(1);
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}

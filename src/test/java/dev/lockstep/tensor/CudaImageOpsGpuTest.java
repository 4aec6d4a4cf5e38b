package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaTestSupport.assertClose;
import static dev.lockstep.tensor.CudaTestSupport.get;
import static dev.lockstep.tensor.CudaTestSupport.relativeFloorOne;
import static dev.lockstep.tensor.CudaTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image ops of {@link CudaBackend} against the CPU backend ({@link CpuImageOps}) on fresh random inputs: odd
 * shapes, stride 2, padding, channels 1 and 3, device buffers as views at offsets with guarded padding. Results
 * within 1e-5 · max(1, |cpu|); dropout must drop exactly the CPU's elements.
 */
@Tag("gpu")
class CudaImageOpsGpuTest {
  private static final double TOL = 1e-5;
  private static CudaBackend be;
  private static CpuBackend cpu;

  @BeforeAll
  static void open() {
    CudaTestSupport.assumeGpu();
    be = CudaBackend.create(0, false);
    cpu = CpuBackend.create(2);
    System.out.println("image op tests on " + be.describe());
  }

  @AfterAll
  static void close() {
    if (be != null) {
      be.close();
    }
    if (cpu != null) {
      cpu.close();
    }
  }

  /** channels, height, width, kernel, stride, padding, batch */
  private static final String WINDOWS = """
      1, 7, 9, 3, 2, 1, 3
      3, 8, 5, 3, 1, 0, 2
      3, 9, 7, 2, 2, 0, 5
      1, 5, 6, 3, 2, 1, 1
      3, 11, 13, 5, 2, 2, 2
      1, 28, 28, 3, 1, 1, 4
      """;

  @ParameterizedTest(name = "C={0} {1}x{2} k={3} s={4} p={5} B={6}")
  @CsvSource(textBlock = WINDOWS)
  void im2colAndCol2imMatchTheCpu(int c, int h, int w, int k, int s, int p, int batch) {
    Window2d win = new Window2d(c, h, w, k, s, p);
    SplittableRandom rng = CudaTestSupport.freshRandom("im2col " + win);
    float[] x = uniform(rng, batch * win.inSize(), -2, 2);
    int colsLength = batch * win.patchSize() * win.outPositions();
    float[] cols = onCpu(x, colsLength, (in, out) -> cpu.im2col(in, out, batch, win));
    compare("im2col " + win, x, colsLength, (in, out) -> be.im2col(in, out, batch, win), cols);

    float[] g = uniform(rng, colsLength, -2, 2);
    float[] dx = onCpu(g, batch * win.inSize(), (in, out) -> cpu.col2im(in, out, batch, win));
    compare("col2im " + win, g, batch * win.inSize(), (in, out) -> be.col2im(in, out, batch, win), dx);
  }

  @ParameterizedTest(name = "C={0} {1}x{2} k={3} s={4} p={5} B={6}")
  @CsvSource(textBlock = WINDOWS)
  void poolingAndItsBackwardMatchTheCpu(int c, int h, int w, int k, int s, int p, int batch) {
    Window2d win = new Window2d(c, h, w, Math.min(k, 3), s, Math.min(p, Math.min(k, 3) / 2));
    for (boolean avg : new boolean[] {false, true}) {
      for (boolean ties : new boolean[] {false, true}) {
        SplittableRandom rng = CudaTestSupport.freshRandom("pool " + win + " avg " + avg + " ties " + ties);
        float[] x = uniform(rng, batch * win.inSize(), -2, 2);
        if (ties) { // a few levels only: max pooling must route to the first maximum, as the CPU does
          for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i]);
          }
        }
        int outLength = batch * win.channels() * win.outPositions();
        String what = "pool2d " + win + (avg ? " avg" : " max") + (ties ? " with ties" : "");
        float[] y = onCpu(x, outLength, (in, out) -> cpu.pool2d(avg, in, out, batch, win));
        compare(what, x, outLength, (in, out) -> be.pool2d(avg, in, out, batch, win), y);

        float[] dy = uniform(rng, outLength, -2, 2);
        CpuBuf xc = cpuBuf(x);
        float[] dx = onCpu(dy, x.length, (in, out) -> cpu.pool2dBackward(avg, xc, in, out, batch, win));
        CudaTestSupport.Guarded xg = new CudaTestSupport.Guarded(be, x, 3, 5);
        compare(what + " backward", dy, x.length, (in, out) -> be.pool2dBackward(avg, xg.view, in, out, batch, win),
            dx);
        xg.assertPaddingIntact(be);
      }
    }
  }

  @ParameterizedTest(name = "rate {0}")
  @ValueSource(floats = {0f, 0.1f, 0.5f, 0.9f})
  void dropoutDropsExactlyTheCpusElements(float rate) {
    SplittableRandom rng = CudaTestSupport.freshRandom("dropout " + rate);
    int rows = 37, cols = 3 * 7 * 5;
    long key = DropoutMask.key(rng.nextLong(), rng.nextInt(20), rng.nextLong(1 << 30));
    long firstRow = rng.nextLong(1L << 40);
    float[] x = uniform(rng, rows * cols, -3, 3);
    float[] y = onCpu(x, x.length, (in, out) -> cpu.dropout(in, out, rows, cols, key, firstRow, rate));
    float[] got = compare("dropout " + rate, x, x.length,
        (in, out) -> be.dropout(in, out, rows, cols, key, firstRow, rate), y);
    for (int i = 0; i < y.length; i++) {
      assertThat(got[i] == 0f).as("element %d dropped on the GPU iff on the CPU", i).isEqualTo(y[i] == 0f);
    }
  }

  @ParameterizedTest(name = "B={0} C={1} S={2}")
  @CsvSource({"3, 1, 49", "5, 3, 17", "2, 7, 1", "64, 32, 196"})
  void channelSumsAndAffineMatchTheCpu(int batch, int channels, int spatial) {
    SplittableRandom rng = CudaTestSupport.freshRandom("channel ops " + batch + "x" + channels + "x" + spatial);
    int n = batch * channels * spatial;
    float[] a = uniform(rng, n, -2, 3);
    float[] b = uniform(rng, n, -1, 1);
    double[] sumA = new double[channels];
    double[] sumAB = new double[channels];
    cpu.channelSums(cpuBuf(a), cpuBuf(b), batch, channels, spatial, sumA, sumAB);
    double[] gotA = new double[channels];
    double[] gotAB = new double[channels];
    CudaTestSupport.Guarded ag = new CudaTestSupport.Guarded(be, a, 1, 2);
    CudaTestSupport.Guarded bg = new CudaTestSupport.Guarded(be, b, 2, 1);
    be.channelSums(ag.view, bg.view, batch, channels, spatial, gotA, gotAB);
    for (int c = 0; c < channels; c++) { // double sums in another order: far below float rounding
      assertThat(gotA[c]).as("sumA[%d]", c).isCloseTo(sumA[c], org.assertj.core.data.Offset.offset(1e-9 * n));
      assertThat(gotAB[c]).as("sumAB[%d]", c).isCloseTo(sumAB[c], org.assertj.core.data.Offset.offset(1e-9 * n));
    }

    float[] scaleA = uniform(rng, channels, -2, 2);
    float[] scaleB = uniform(rng, channels, -2, 2);
    float[] shift = uniform(rng, channels, -1, 1);
    for (boolean withB : new boolean[] {false, true}) {
      float[] out = onCpu(a, n, (in, o) -> cpu.channelAffine(in, scaleA, withB ? cpuBuf(b) : null, scaleB, shift, o,
          batch, channels, spatial));
      compare("channelAffine" + (withB ? " with b" : ""), a, n, (in, o) -> be.channelAffine(in, scaleA,
          withB ? bg.view : null, scaleB, shift, o, batch, channels, spatial), out);
    }
    ag.assertPaddingIntact(be);
    bg.assertPaddingIntact(be);
  }

  // --- helpers ---

  private interface Op {
    void run(Buf in, Buf out);
  }

  private static CpuBuf cpuBuf(float[] data) {
    CpuBuf b = cpu.allocate(data.length);
    cpu.upload(data, 0, b);
    return b;
  }

  private static float[] onCpu(float[] in, int outLength, Op op) {
    CpuBuf out = cpu.allocate(outLength);
    cpu.fill(out, Float.NaN); // ops overwrite their output
    op.run(cpuBuf(in), out);
    float[] result = new float[outLength];
    cpu.download(out, result, 0);
    return result;
  }

  /** Runs {@code op} on the GPU on views with guarded padding (output prefilled with NaN); returns its output. */
  private static float[] compare(String what, float[] in, int outLength, Op op, float[] expected) {
    CudaTestSupport.Guarded ig = new CudaTestSupport.Guarded(be, in, 5, 3);
    float[] nan = new float[outLength];
    java.util.Arrays.fill(nan, Float.NaN);
    CudaTestSupport.Guarded og = new CudaTestSupport.Guarded(be, nan, 7, 2);
    op.run(ig.view, og.view);
    float[] got = get(be, og.view);
    double[] ref = new double[expected.length];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = expected[i];
    }
    double worst = assertClose(what, got, ref, relativeFloorOne(ref), TOL);
    System.out.printf("%s: max scaled error %.3g%n", what, worst);
    ig.assertPaddingIntact(be);
    og.assertPaddingIntact(be);
    return got;
  }
}

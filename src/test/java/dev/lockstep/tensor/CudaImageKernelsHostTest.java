package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image kernels' index arithmetic and rounding, checked without a GPU: {@link CudaImageKernels#SOURCE} is built
 * by the host C++ compiler with a shim that runs each kernel as one thread of a one-block grid (the grid-stride
 * loops then visit every element; channel_sums gets RED_THREADS = 1 and one "block" per channel), and must give
 * {@link CpuImageOps}' results bit for bit. What this cannot check (the real thread layout, shared-memory
 * reduction with 256 threads, device float behaviour) is {@code CudaImageOpsGpuTest}'s job on the device.
 */
class CudaImageKernelsHostTest {
  @TempDir static Path dir;
  static Path exe;

  private static final String SHIM = """
      #include <cmath>
      #include <cstdio>
      #include <cstdlib>
      #include <cstring>
      #include <vector>
      struct Dim { unsigned x, y, z; };
      static Dim blockIdx{0, 0, 0}, threadIdx{0, 0, 0}, blockDim{1, 1, 1}, gridDim{1, 1, 1};
      #define __global__
      #define __device__
      #define __host__
      #define __forceinline__ inline
      #define __shared__ static
      #define RED_THREADS 1
      inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
      inline float __fmul_rn(float a, float b) { return a * b; }
      inline float __fadd_rn(float a, float b) { return a + b; }
      inline void __syncthreads() {}
      inline long long first_index() { return (long long) blockIdx.x * blockDim.x + threadIdx.x; }
      inline long long grid_stride() { return (long long) gridDim.x * blockDim.x; }
      """;

  private static final String MAIN = """
      static std::vector<float> load(const char* path) {
        FILE* f = std::fopen(path, "rb");
        std::vector<float> v;
        float x;
        while (std::fread(&x, 4, 1, f) == 1) v.push_back(x);
        std::fclose(f);
        return v;
      }
      static void save(const char* path, const void* data, size_t bytes) {
        FILE* f = std::fopen(path, "wb");
        std::fwrite(data, 1, bytes, f);
        std::fclose(f);
      }
      static float bits(const char* s) { int i = (int) std::strtol(s, 0, 10); float f; std::memcpy(&f, &i, 4); return f; }
      int main(int argc, char** argv) {
        const char* op = argv[1];
        int a[12];
        for (int i = 0; i < 12 && i + 2 < argc; i++) a[i] = std::atoi(argv[i + 2]);
        if (!std::strcmp(op, "im2col") || !std::strcmp(op, "col2im")) { // B C H W k s p Ho Wo in out n
          std::vector<float> in = load(argv[11]);
          std::vector<float> out(std::atoll(argv[13]));
          if (op[0] == 'i') im2col_f32(in.data(), out.data(), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
          else col2im_f32(in.data(), out.data(), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
          save(argv[12], out.data(), out.size() * 4);
        } else if (!std::strcmp(op, "pool") || !std::strcmp(op, "poolback")) {
          // planes H W k s p Ho Wo avg invBits x [dy] out n
          std::vector<float> x = load(argv[12]);
          float inv = bits(argv[11]);
          if (op[4] == 0) {
            std::vector<float> y(std::atoll(argv[14]));
            pool2d_f32(x.data(), y.data(), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], inv);
            save(argv[13], y.data(), y.size() * 4);
          } else {
            std::vector<float> dy = load(argv[13]);
            std::vector<float> dx(x.size());
            pool2d_backward_f32(x.data(), dy.data(), dx.data(), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                                inv);
            save(argv[14], dx.data(), dx.size() * 4);
          }
        } else if (!std::strcmp(op, "dropout")) { // cols key firstRow rateBits scaleBits x out
          std::vector<float> x = load(argv[7]);
          std::vector<float> y(x.size());
          dropout_f32(x.data(), y.data(), (long long) x.size(), a[0], std::strtoull(argv[3], 0, 10),
                      std::strtoll(argv[4], 0, 10), bits(argv[5]), bits(argv[6]));
          save(argv[8], y.data(), y.size() * 4);
        } else if (!std::strcmp(op, "affine")) { // C S a b|- params out
          std::vector<float> in = load(argv[4]), p = load(argv[6]);
          std::vector<float> b = argv[5][0] == '-' ? std::vector<float>() : load(argv[5]);
          std::vector<float> out(in.size());
          channel_affine(in.data(), b.empty() ? 0 : b.data(), p.data(), out.data(), (long long) in.size(), a[0], a[1]);
          save(argv[7], out.data(), out.size() * 4);
        } else if (!std::strcmp(op, "sums")) { // B C S a b out
          std::vector<float> x = load(argv[5]), y = load(argv[6]);
          std::vector<double> sums(2 * a[1]);
          gridDim.x = a[1];
          for (unsigned c = 0; c < (unsigned) a[1]; c++) {
            blockIdx.x = c;
            channel_sums(x.data(), y.data(), sums.data(), a[0], a[1], a[2]);
          }
          save(argv[7], sums.data(), sums.size() * 8);
        } else {
          return 2;
        }
        return 0;
      }
      """;

  @BeforeAll
  static void build() throws Exception {
    String gpp = findOnPath("g++");
    assumeTrue(gpp != null, "g++ is not on PATH: skipping the host run of the image kernels");
    Path cpp = dir.resolve("image_kernels_host.cpp");
    exe = dir.resolve("image_kernels_host");
    Files.writeString(cpp, SHIM + CudaImageKernels.SOURCE + MAIN, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(gpp, "-std=c++17", "-O1", "-ffp-contract=off", cpp.toString(), "-o",
        exe.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("g++ output:%n%s", output).isZero();
  }

  private static final String WINDOWS = """
      1, 7, 9, 3, 2, 1, 3
      3, 8, 5, 3, 1, 0, 2
      3, 9, 7, 2, 2, 0, 5
      1, 5, 6, 3, 2, 1, 1
      3, 11, 13, 5, 2, 2, 2
      1, 28, 28, 3, 1, 1, 2
      """;

  @ParameterizedTest(name = "C={0} {1}x{2} k={3} s={4} p={5} B={6}")
  @CsvSource(textBlock = WINDOWS)
  void im2colAndCol2imEqualTheCpuLoops(int c, int h, int w, int k, int s, int p, int batch) throws Exception {
    Window2d win = new Window2d(c, h, w, k, s, p);
    SplittableRandom rng = random("im2col " + win);
    float[] x = uniform(rng, batch * win.inSize());
    int colsLength = batch * win.patchSize() * win.outPositions();
    float[] cols = new float[colsLength];
    CpuImageOps.im2col(x, cols, batch, win);
    String[] dims = {"" + batch, "" + c, "" + h, "" + w, "" + k, "" + s, "" + p, "" + win.outHeight(),
        "" + win.outWidth()};
    assertThat(run("im2col", dims, x, colsLength)).as("im2col " + win).isEqualTo(cols);

    float[] g = uniform(rng, colsLength);
    float[] dx = new float[batch * win.inSize()];
    CpuImageOps.col2im(g, dx, batch, win);
    assertThat(run("col2im", dims, g, dx.length)).as("col2im " + win).isEqualTo(dx);
  }

  @ParameterizedTest(name = "C={0} {1}x{2} k={3} s={4} p={5} B={6}")
  @CsvSource(textBlock = WINDOWS)
  void poolingEqualsTheCpuLoops(int c, int h, int w, int k, int s, int p, int batch) throws Exception {
    Window2d win = new Window2d(c, h, w, Math.min(k, 3), s, Math.min(p, Math.min(k, 3) / 2));
    for (boolean avg : new boolean[] {false, true}) {
      for (boolean ties : new boolean[] {false, true}) {
        SplittableRandom rng = random("pool " + win);
        float[] x = uniform(rng, batch * win.inSize());
        if (ties) {
          for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i]);
          }
        }
        int outLength = batch * c * win.outPositions();
        float[] y = new float[outLength];
        CpuImageOps.pool2d(avg, x, y, batch, win);
        int kk = win.kernel();
        String[] args = {"" + batch * c, "" + h, "" + w, "" + kk, "" + s, "" + win.padding(), "" + win.outHeight(),
            "" + win.outWidth(), avg ? "1" : "0", "" + Float.floatToRawIntBits(1f / (kk * kk))};
        String what = win + (avg ? " avg" : " max") + (ties ? " ties" : "");
        Path xf = write(x);
        assertThat(runFiles("pool", args, List.of(xf), outLength)).as("pool2d " + what).isEqualTo(y);

        float[] dy = uniform(rng, outLength);
        float[] dx = new float[x.length];
        CpuImageOps.pool2dBackward(avg, x, dy, dx, batch, win);
        assertThat(runFiles("poolback", args, List.of(xf, write(dy)), x.length)).as("pool2dBackward " + what)
            .isEqualTo(dx);
      }
    }
  }

  @Test
  void dropoutEqualsTheCpuLoop() throws Exception {
    SplittableRandom rng = random("dropout");
    int rows = 23, cols = 3 * 5 * 7;
    for (float rate : new float[] {0f, 0.1f, 0.5f, 0.9f}) {
      long key = rng.nextLong(), firstRow = rng.nextLong(1L << 40);
      float[] x = uniform(rng, rows * cols);
      float[] y = new float[x.length];
      CpuImageOps.dropout(x, y, rows, cols, key, firstRow, rate);
      String[] args = {"" + cols, Long.toUnsignedString(key), "" + firstRow, "" + Float.floatToRawIntBits(rate),
          "" + Float.floatToRawIntBits(1f / (1f - rate))};
      assertThat(runFiles("dropout", args, List.of(write(x)), x.length)).as("dropout " + rate).isEqualTo(y);
    }
  }

  @ParameterizedTest(name = "B={0} C={1} S={2}")
  @CsvSource({"3, 1, 49", "5, 3, 17", "2, 7, 1"})
  void channelAffineAndSumsEqualTheCpuLoops(int batch, int channels, int spatial) throws Exception {
    SplittableRandom rng = random("channels");
    int n = batch * channels * spatial;
    float[] a = uniform(rng, n), b = uniform(rng, n);
    float[] scaleA = uniform(rng, channels), scaleB = uniform(rng, channels), shift = uniform(rng, channels);
    float[] params = new float[3 * channels];
    System.arraycopy(scaleA, 0, params, 0, channels);
    System.arraycopy(scaleB, 0, params, channels, channels);
    System.arraycopy(shift, 0, params, 2 * channels, channels);
    Path af = write(a), bf = write(b), pf = write(params);
    for (boolean withB : new boolean[] {false, true}) {
      float[] out = new float[n];
      CpuImageOps.channelAffine(a, scaleA, withB ? b : null, scaleB, shift,
          out, batch, channels, spatial);
      String[] args = {"" + channels, "" + spatial};
      List<String> files = List.of(af.toString(), withB ? bf.toString() : "-", pf.toString());
      assertThat(runRaw("affine", args, files, n)).as("channelAffine b=" + withB).isEqualTo(out);
    }
    double[] sumA = new double[channels], sumAB = new double[channels];
    CpuImageOps.channelSums(FloatBuffer.wrap(a), FloatBuffer.wrap(b), batch, channels, spatial, sumA, sumAB,
        new float[spatial], new float[spatial]);
    Path out = dir.resolve("sums.bin");
    exec("sums", new String[] {"" + batch, "" + channels, "" + spatial}, List.of(af.toString(), bf.toString(),
        out.toString()));
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    for (int c = 0; c < channels; c++) { // one thread per channel here: the CPU's order exactly
      assertThat(bytes.getDouble(8 * c)).as("sumA[%d]", c).isEqualTo(sumA[c]);
      assertThat(bytes.getDouble(8 * (channels + c))).as("sumAB[%d]", c).isEqualTo(sumAB[c]);
    }
  }

  // --- helpers ---

  private static float[] run(String op, String[] args, float[] in, int outLength) throws Exception {
    return runFiles(op, args, List.of(write(in)), outLength);
  }

  private static float[] runFiles(String op, String[] args, List<Path> ins, int outLength) throws Exception {
    List<String> files = new ArrayList<>();
    ins.forEach(f -> files.add(f.toString()));
    return runRaw(op, args, files, outLength);
  }

  /** Runs the host build of a kernel; its output file comes after {@code files}, then the output length. */
  private static float[] runRaw(String op, String[] args, List<String> files, int outLength) throws Exception {
    Path out = Files.createTempFile(dir, op, ".bin");
    List<String> all = new ArrayList<>(files);
    all.add(out.toString());
    all.add("" + outLength);
    exec(op, args, all);
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    float[] result = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(result);
    return result;
  }

  private static void exec(String op, String[] args, List<String> files) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(exe.toString(), op));
    cmd.addAll(List.of(args));
    cmd.addAll(files);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", cmd, output).isZero();
  }

  private static Path write(float[] data) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(data);
    return Files.write(Files.createTempFile(dir, "in", ".bin"), bytes.array());
  }

  private static SplittableRandom random(String what) {
    long seed = System.nanoTime() ^ what.hashCode();
    System.out.println("[seed] " + what + ": " + seed);
    return new SplittableRandom(seed);
  }

  private static float[] uniform(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (4 * rng.nextDouble() - 2);
    }
    return a;
  }

  private static String findOnPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      File f = new File(d, tool);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}

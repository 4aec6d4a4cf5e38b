package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPU-side checks of {@link CudaImageKernels}: the CUDA dropout hash is run on the host (nvcc builds the module's
 * source plus a main into a program) and must keep exactly the elements {@link DropoutMask#kept} keeps, so CPU and
 * GPU runs drop the same elements. The module's compile check is {@link CudaKernelsTest}'s.
 */
class CudaImageKernelsTest {
  @Test
  void imageKernelsArePartOfTheModule() {
    assertThat(CudaKernels.source()).contains(CudaImageKernels.SOURCE);
    for (CudaKernels.Name name : List.of(CudaKernels.Name.IM2COL, CudaKernels.Name.COL2IM, CudaKernels.Name.POOL2D,
        CudaKernels.Name.POOL2D_BACKWARD, CudaKernels.Name.DROPOUT, CudaKernels.Name.CHANNEL_SUMS,
        CudaKernels.Name.CHANNEL_AFFINE)) {
      assertThat(CudaImageKernels.SOURCE).contains("extern \"C\" __global__ void " + name.cName + "(");
    }
  }

  @Test
  void cudaDropoutHashKeepsExactlyWhatTheJavaHashKeeps(@TempDir Path dir) throws Exception {
    String nvcc = findOnPath("nvcc");
    assumeTrue(nvcc != null, "nvcc is not on PATH: skipping the host run of the CUDA dropout hash");
    Path cu = dir.resolve("dropout_hash.cu");
    Path exe = dir.resolve("dropout_hash");
    // reads "key index rate" lines (unsigned decimals, a hex float), prints 1 (kept) or 0 per line
    String main = """
        #include <cstdio>
        #include <cstdlib>
        int main() {
          char k[32], i[32], r[64];
          while (std::scanf("%31s %31s %63s", k, i, r) == 3) {
            std::printf("%d\\n", dropout_kept(std::strtoull(k, 0, 10), std::strtoull(i, 0, 10),
                                              std::strtof(r, 0)) ? 1 : 0);
          }
          return 0;
        }
        """;
    Files.writeString(cu, CudaKernels.source() + main, StandardCharsets.UTF_8);
    Process build = new ProcessBuilder(nvcc, "-arch=sm_90", cu.toString(), "-o", exe.toString())
        .redirectErrorStream(true).start();
    String buildOutput = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor(180, TimeUnit.SECONDS)).as("nvcc finished").isTrue();
    assertThat(build.exitValue()).as("nvcc exit code, output:%n%s", buildOutput).isZero();

    SplittableRandom rnd = new SplittableRandom(System.nanoTime());
    List<long[]> cases = new ArrayList<>(); // key, index, rate bits
    float[] rates = {0f, 0.1f, 0.25f, 0.5f, 0.9f, 0.999f};
    for (int c = 0; c < 20_000; c++) {
      long key = c < 10 ? DropoutMask.key(rnd.nextLong(), c, rnd.nextLong(1 << 20)) : rnd.nextLong();
      long index = c % 3 == 0 ? rnd.nextLong(1L << 24) : rnd.nextLong();
      float rate = rates[c % rates.length];
      if (c % 7 == 0) { // a rate exactly at the element's draw: kept (u >= rate) decides on equality
        long z = DropoutMask.mix(key + index * 0x9e3779b97f4a7c15L);
        rate = (z >>> 40) * 0x1.0p-24f;
      }
      cases.add(new long[] {key, index, Float.floatToRawIntBits(rate)});
    }
    StringBuilder input = new StringBuilder();
    for (long[] c : cases) {
      input.append(Long.toUnsignedString(c[0])).append(' ').append(Long.toUnsignedString(c[1])).append(' ')
          .append(Float.toHexString(Float.intBitsToFloat((int) c[2]))).append('\n');
    }
    Path in = dir.resolve("cases.txt");
    Files.writeString(in, input.toString(), StandardCharsets.US_ASCII);
    Process run = new ProcessBuilder(exe.toString()).redirectInput(in.toFile()).start();
    List<String> lines = new String(run.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isZero();
    assertThat(lines).hasSize(cases.size());
    int kept = 0;
    for (int c = 0; c < cases.size(); c++) {
      long[] k = cases.get(c);
      boolean expected = DropoutMask.kept(k[0], k[1], Float.intBitsToFloat((int) k[2]));
      assertThat(lines.get(c)).as("case %d: key %s index %s rate %s", c, Long.toUnsignedString(k[0]),
          Long.toUnsignedString(k[1]), Float.intBitsToFloat((int) k[2])).isEqualTo(expected ? "1" : "0");
      kept += expected ? 1 : 0;
    }
    assertThat(kept).as("both outcomes were exercised").isBetween(1, cases.size() - 1);
  }

  private static String findOnPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, tool);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}

package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU-side checks of the kernel source: it compiles, and it defines exactly the kernels the backend launches. */
class CudaKernelsTest {
  private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");

  @Test
  void everyKernelTheBackendLaunchesIsDefinedAndNoOther() {
    Set<String> defined = new TreeSet<>();
    Matcher m = KERNEL.matcher(CudaKernels.source());
    while (m.find()) {
      assertThat(defined.add(m.group(1))).as("kernel %s defined once", m.group(1)).isTrue();
    }
    Set<String> launched = Arrays.stream(CudaKernels.Name.values()).map(n -> n.cName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(defined).isEqualTo(launched);
  }

  @Test
  void blockShapeConstantsMatchTheSource() {
    assertThat(CudaKernels.source()).contains("#define SR_TX " + CudaKernels.SUM_ROWS_TX + "\n");
    assertThat(CudaKernels.source()).contains("#define SR_TY " + CudaKernels.SUM_ROWS_TY + "\n");
    assertThat(CudaKernels.source()).contains("#define RED_THREADS " + CudaKernels.BLOCK + "\n");
    assertThat(CudaKernels.BLOCK % CudaKernels.WARP).isZero();
  }

  @Test
  void sourceUsesNoHeadersNvrtcLacks() {
    assertThat(CudaKernels.source()).doesNotContain("#include");
  }

  @Test
  void sourceCompilesWithNvcc(@TempDir Path dir) throws Exception {
    String nvcc = findOnPath("nvcc");
    assumeTrue(nvcc != null, "nvcc is not on PATH: skipping the kernel compile check");
    Path cu = dir.resolve("lockstep_kernels.cu");
    Path ptx = dir.resolve("lockstep_kernels.ptx");
    Files.writeString(cu, CudaKernels.source(), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(nvcc, "-ptx", "-arch=sm_90", "-Werror", "all-warnings", cu.toString(), "-o",
        ptx.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("nvcc finished").isTrue();
    assertThat(p.exitValue()).as("nvcc exit code, output:%n%s", output).isZero();
    String text = Files.readString(ptx);
    for (CudaKernels.Name name : CudaKernels.Name.values()) {
      assertThat(text).as("PTX entry of %s", name.cName).contains(".entry " + name.cName + "(");
    }
    // ptxas too (register and shared-memory limits, what the driver's JIT checks when loading the module)
    Path cubin = dir.resolve("lockstep_kernels.cubin");
    Process q = new ProcessBuilder(nvcc, "-cubin", "-arch=sm_90", "-Werror", "all-warnings", cu.toString(), "-o",
        cubin.toString()).redirectErrorStream(true).start();
    String assembled = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.waitFor(120, TimeUnit.SECONDS)).as("nvcc -cubin finished").isTrue();
    assertThat(q.exitValue()).as("nvcc -cubin exit code, output:%n%s", assembled).isZero();
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

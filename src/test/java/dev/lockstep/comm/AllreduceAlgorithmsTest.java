package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every allreduce algorithm in real MPJ ranks: bitwise identical on every rank and run to run, and within float
 * tolerance of a float64 reference, for odd lengths (see AllreduceCheckTask).
 */
class AllreduceAlgorithmsTest {
  private static final String LENGTHS = "1,7,1001," + ((1 << 20) + 3);

  @ParameterizedTest(name = "{0} np={1} {2}")
  @CsvSource({
      "multicore, 2, shm;ring;mpj;auto",
      "multicore, 3, shm;ring;mpj",
      "multicore, 4, shm;ring",
      "niodev,    2, shm_process;ring;auto",
      "niodev,    3, shm_process;ring",
      "niodev,    4, shm_process",
      "hybdev,    3, shm;ring;mpj;auto"})
  void everyRankGetsTheSameCorrectBits(String device, int np, String algorithms) {
    long seed = ThreadLocalRandom.current().nextLong(1, 1L << 40);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = List.of("--task=" + AllreduceCheckTask.class.getName(), String.valueOf(seed),
        algorithms.replace(';', ','), LENGTHS);

    int code = Launcher.launch(new LaunchSpec(np, device, null, args), out);

    String output = out.toString(Charset.defaultCharset());
    assertThat(code).as("exit code (seed %d), output:%n%s", seed, output).isZero();
    for (int r = 0; r < np; r++) {
      assertThat(output).as("seed %d", seed).contains("rank " + r + " of " + np + ": allreduce ok");
    }
  }
}

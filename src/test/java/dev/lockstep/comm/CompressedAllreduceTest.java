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
 * comm.compression bf16/fp16 in real MPJ ranks, on every algorithm: the exact bits of the definition (the same
 * whether 16-bit values travel — ring — or the rounding surrounds a float32 sum — shm, shm_process, mpj), within the
 * format's rounding of the float64 sum, no fp16 overflow for values far beyond 65504, identical on every rank (see
 * CompressedAllreduceCheckTask). Across namespace hosts: ClusterNamespacesTest.
 */
class CompressedAllreduceTest {
  private static final String LENGTHS = "1,7,1001," + ((1 << 19) * 3 + 5); // the last: several segments per chunk

  @ParameterizedTest(name = "{0} np={1} {2}")
  @CsvSource({
      "multicore, 2, shm;ring;mpj",
      "multicore, 3, shm;ring;auto",
      "niodev,    2, ring;shm_process",
      "niodev,    3, ring"})
  void everyRankGetsTheBitsOfTheDefinition(String device, int np, String algorithms) {
    long seed = ThreadLocalRandom.current().nextLong(1, 1L << 40);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = List.of("--task=" + CompressedAllreduceCheckTask.class.getName(), String.valueOf(seed),
        algorithms.replace(';', ','), LENGTHS);

    int code = Launcher.launch(new LaunchSpec(np, device, null, args), out);

    String output = out.toString(Charset.defaultCharset());
    assertThat(code).as("exit code (seed %d), output:%n%s", seed, output).isZero();
    for (int r = 0; r < np; r++) {
      assertThat(output).as("seed %d", seed).contains("rank " + r + " of " + np + ": compressed allreduce ok");
    }
  }
}

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

/** Point-to-point from threads the ranks created, in real MPJ ranks (see PointToPointCheckTask). */
class PointToPointTest {
  @ParameterizedTest(name = "{0} np={1} length={2}")
  @CsvSource({"multicore, 3, 1001", "multicore, 2, 300007", "niodev, 2, 777"})
  void aServerThreadAnswersEveryRankInArrivalOrder(String device, int np, int length) {
    long seed = ThreadLocalRandom.current().nextLong(1, 1L << 40);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = List.of("--task=" + PointToPointCheckTask.class.getName(), String.valueOf(seed),
        String.valueOf(length), "5");

    int code = Launcher.launch(new LaunchSpec(np, device, null, args), out);

    String output = out.toString(Charset.defaultCharset());
    assertThat(code).as("exit code (seed %d), output:%n%s", seed, output).isZero();
    for (int r = 0; r < np; r++) {
      assertThat(output).as("seed %d", seed).contains("rank " + r + " of " + np + ": point-to-point ok");
    }
  }
}

package dev.lockstep.update;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import dev.lockstep.tensor.TestSeed;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bucketed, overlapped gradient allreduce on real MPJ ranks: same bits as without overlap; deadlines still hold. */
class OverlapTest {
  @ParameterizedTest(name = "np={0}, {1}, {2}: {3}")
  @CsvSource({"1, multicore, auto, bits", "2, multicore, auto, bits", "3, multicore, auto, bits",
      "2, multicore, mpj, bits", "3, multicore, ring, close", "2, niodev, ring, bits",
      "2, niodev, auto, bits", "3, niodev, shm_process, bits"})
  void everyBucketingGivesTheSameWeightsAsOneAllreduce(int np, String device, String algorithm, String compare) {
    long seed = TestSeed.fresh();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Launcher.launch(new LaunchSpec(np, device, null,
        List.of("--task=" + OverlapCheckTask.class.getName(), String.valueOf(seed), algorithm, compare)), out);
    String output = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("seed %d:%n%s", seed, output).isZero();
    for (int r = 0; r < np; r++) {
      assertThat(output).as(output).contains("rank " + r + ": overlap check ok");
    }
  }

  @Test
  void aPeerThatNeverFinishesBackwardEndsTheJobWithExitCode3() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long started = System.nanoTime();
    int code = Launcher.launch(new LaunchSpec(2, "multicore", null,
        List.of("--task=" + OverlapStallTask.class.getName())), out);
    String output = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isEqualTo(3);
    assertThat(output).containsPattern("lockstep: rank 0: allreduce #\\d+ did not complete within 1s; rank 1 never "
            + "arrived")
        .doesNotContain("returned without its peer");
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
  }
}

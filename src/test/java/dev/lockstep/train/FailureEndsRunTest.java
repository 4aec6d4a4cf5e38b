package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real training jobs in which one rank fails mid-run (simulate.fail): the job must end with exit code 3, soon,
 * with a message naming the rank and the step. Each case prints its measured failure-to-exit time.
 */
class FailureEndsRunTest {
  /** Deadline of every collective in these runs: a hang must end the job shortly after it. */
  private static final double DEADLINE_S = 3;

  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  private static FailureWatch run(String device, String how, ProcessKill kill, String... extra) throws IOException {
    FailureWatch out = new FailureWatch(pid -> kill.kill(pid));
    String[] sets = new String[4 + extra.length];
    sets[0] = "simulate.fail.rank=1";
    sets[1] = "simulate.fail.step=5";
    sets[2] = "simulate.fail.how=" + how;
    sets[3] = "comm.timeout_s=" + DEADLINE_S;
    System.arraycopy(extra, 0, sets, 4, extra.length);
    TrainingRuns.Result r = TrainingRuns.train(config, 2, device, List.of(), out, sets);
    double seconds = out.secondsSinceFailure();
    System.out.printf(Locale.ROOT, "failure-to-exit %-9s %-6s %s: %.2f s%n", device, how,
        kill == ProcessKill.NONE ? "" : "+kill -9", seconds);
    assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
    out.seconds = seconds;
    return out;
  }

  private interface ProcessKill {
    ProcessKill NONE = pid -> { };

    void kill(long pid);
  }

  @ParameterizedTest(name = "{0}: rank 1 {1}")
  @CsvSource({"multicore, exit", "multicore, throw", "niodev, exit", "niodev, throw"})
  void aRankThatExitsOrThrowsEndsTheJobWith3NamingRankAndStep(String device, String how) throws IOException {
    FailureWatch out = run(device, how, ProcessKill.NONE);
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    if (how.equals("throw")) {
      assertThat(text).contains("lockstep: rank 1 at step 5 failed: simulate.fail: rank 1 throws at step 5");
    } else if (device.equals("niodev")) { // the launcher read the dead process's progress file
      assertThat(text).contains("simulate.fail: System.exit(1) at step 5")
          .contains("lockstep: rank 1 at step 5 exited with code 1; stopped the other ranks");
    } else { // the exit ends every rank thread at once; the JVM's exit hook named the thread's rank
      assertThat(text).contains("simulate.fail: System.exit(1) at step 5")
          .contains("lockstep: rank 1 called System.exit at step 5")
          .contains("lockstep: the multicore JVM exited with code 1");
    }
    assertThat(out.seconds).as("seconds from the failure to the job's exit").isLessThan(DEADLINE_S + 2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"multicore", "niodev"})
  void aHungRankIsNamedByTheStallInspectorAndEndsTheJobAtTheDeadline(String device) throws IOException {
    FailureWatch out = run(device, "hang", ProcessKill.NONE, "comm.warn_after_s=1");
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("rank 1 (pid").contains("simulate.fail: hanging at step 5")
        .containsPattern("lockstep: rank 0: allreduce #\\d+ \\(step 5\\) waiting 1s for rank 1 \\(deadline 3s\\)")
        .containsPattern("lockstep: rank 0: allreduce #\\d+ \\(step 5\\) did not complete within 3s; "
            + "rank 1 \\(at step 5\\) never arrived \\(died or stalled\\)");
    assertThat(out.seconds).isBetween(DEADLINE_S * 0.9, DEADLINE_S + 3);
  }

  @Test
  void killingANiodevRankProcessEndsTheJob() throws IOException {
    // Rank 1 stops answering at step 5 and prints its pid; the test kills that process with SIGKILL.
    FailureWatch out = run("niodev", "hang", pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("lockstep: rank 1 at step 5 was killed by signal 9; stopped the other ranks");
    assertThat(out.seconds).isLessThan(DEADLINE_S);
  }
}

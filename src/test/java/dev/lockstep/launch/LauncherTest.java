package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real MPJ jobs through {@link Launcher#launch}: exit codes, output, deadlines, class loading. */
class LauncherTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int launch(int np, String device, Path machines, Class<? extends RankTask> task, String... args) {
    List<String> rankArgs = new ArrayList<>();
    rankArgs.add("--task=" + task.getName());
    rankArgs.addAll(List.of(args));
    return Launcher.launch(new LaunchSpec(np, device, machines, rankArgs), out);
  }

  private String output() {
    return out.toString(Charset.defaultCharset());
  }

  @Test
  void multicoreSharesNativeJarsAndGivesEachRankItsOwnClasses() {
    int code = launch(3, "multicore", null, FailingTasks.Hello.class, "a b", "c");

    assertThat(code).as(output()).isZero();
    for (int r = 0; r < 3; r++) {
      assertThat(output()).contains("hello from rank " + r + " of 3 args=--task=" + FailingTasks.Hello.class.getName()
          + ",a b,c javacpp-on-jvm-classpath=true app-per-rank=true runs-in-this-loader=1 shm=true");
    }
  }

  @Test
  void hybdevOnOneHostIsOneJvmWhoseRanksAreThreadsLikeMulticore() {
    int code = launch(3, "hybdev", null, FailingTasks.Hello.class, "a b", "c");

    assertThat(code).as(output()).isZero();
    for (int r = 0; r < 3; r++) {
      assertThat(output()).contains("hello from rank " + r + " of 3 args=--task=" + FailingTasks.Hello.class.getName()
          + ",a b,c javacpp-on-jvm-classpath=true app-per-rank=true runs-in-this-loader=1 shm=true");
    }
  }

  @Test
  void niodevRanksAreProcessesWithTheSameArguments() {
    int code = launch(2, "niodev", null, FailingTasks.Hello.class, "x");

    assertThat(code).as(output()).isZero();
    for (int r = 0; r < 2; r++) {
      assertThat(output()).contains("hello from rank " + r + " of 2 args=--task=" + FailingTasks.Hello.class.getName()
          + ",x javacpp-on-jvm-classpath=true app-per-rank=false runs-in-this-loader=1 shm=false");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"multicore", "niodev", "hybdev"})
  void aRankThatThrowsEndsTheJobWithCode3AndIsNamed(String device) {
    int code = launch(2, device, null, FailingTasks.ThrowOnRankOne.class);

    assertThat(code).as(output()).isEqualTo(3);
    assertThat(output()).contains("lockstep: rank 1 failed: boom in the test task");
    assertThat(output()).doesNotContain("at dev.lockstep"); // no stack trace without LOCKSTEP_DEBUG=1
  }

  @Test
  void aRankProcessKilledBySignalEndsTheJobWithCode3() {
    int code = launch(2, "niodev", null, FailingTasks.KilledRankOne.class);

    assertThat(code).as(output()).isEqualTo(3);
    assertThat(output()).contains("lockstep: rank 1 was killed by signal 9; stopped the other ranks");
  }

  @ParameterizedTest
  @ValueSource(strings = {"multicore", "niodev", "hybdev"})
  void aStalledRankEndsTheJobWithCode3AtTheDeadline(String device) {
    long start = System.nanoTime();
    int code = launch(2, device, null, FailingTasks.StallOnRankOne.class, "2");
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(code).as(output()).isEqualTo(3);
    // the stall inspector: rank 1 never reached rank 0's first collective, and both lines say so
    assertThat(output()).contains("lockstep: rank 0: allreduce #1 waiting 1s for rank 1 (deadline 2s)");
    assertThat(output()).contains("lockstep: rank 0: allreduce #1 did not complete within 2s; rank 1 never arrived "
        + "(died or stalled)");
    assertThat(seconds).as("seconds from launch to exit").isBetween(2.0, 12.0);
  }

  @Test
  void aRankTaskReturningNonZeroGivesTheJobThatCode() {
    int code = launch(2, "multicore", null, FailingTasks.UsageErrorOnRankZero.class);

    assertThat(code).as(output()).isEqualTo(2);
    assertThat(output()).contains("lockstep: test config is bad");
  }

  @Test
  void aJvmThatExitsZeroBeforeTheRanksFinishIsAFailure() {
    int code = launch(2, "multicore", null, FailingTasks.ExitZeroOnRankOne.class);

    assertThat(code).as(output()).isEqualTo(3);
    assertThat(output()).contains("ranks 0, 1 ended without finishing");
  }

  @Test
  void anUnknownRankCommandIsBadUsage() {
    int code = Launcher.launch(new LaunchSpec(2, "multicore", null, List.of("frobnicate")), out);

    assertThat(code).isEqualTo(2);
    assertThat(output()).contains("unknown rank command 'frobnicate' (expected 'train ...' or --task=<class> ...)");
  }

  @Test
  void badSpecsAreRejectedBeforeAnythingStarts() {
    assertThat(Launcher.launch(new LaunchSpec(0, "multicore", null, List.of("train")), out)).isEqualTo(2);
    assertThat(Launcher.launch(new LaunchSpec(2, "mxdev", null, List.of("train")), out)).isEqualTo(2);
    assertThat(Launcher.launch(new LaunchSpec(2, "multicore", null, List.of()), out)).isEqualTo(2);
    assertThat(output()).contains("lockstep: --np must be at least 1, got 0")
        .contains("lockstep: unknown device 'mxdev'; expected multicore, niodev or hybdev (mxdev needs Myrinet")
        .contains("lockstep: no rank command given");
  }

  @Test
  void aMachinesFileListingThisMachineRuns(@TempDir Path dir) throws IOException {
    Path machines = Files.writeString(dir.resolve("machines"), "# this box twice\nlocalhost\n127.0.0.1\n");

    int code = launch(2, "niodev", machines, FailingTasks.Hello.class);

    assertThat(code).as(output()).isZero();
  }

  @Test
  void slotsOfThisMachineRunAndTooFewSlotsStartNothing(@TempDir Path dir) throws IOException {
    Path machines = Files.writeString(dir.resolve("machines"), "localhost slots=2\n");

    assertThat(launch(2, "niodev", machines, FailingTasks.Hello.class)).as(output()).isZero();
    out.reset();
    assertThat(launch(3, "niodev", machines, FailingTasks.Hello.class)).isEqualTo(2);
    assertThat(output()).isEqualTo("lockstep: --np 3 is more than the 2 slot(s) of the machines file (localhost: 2); "
        + "give the hosts more slots or start fewer ranks" + System.lineSeparator());
  }

  @Test
  void aDaemonThatIsNotRunningEndsTheJobNamingHostAndPort(@TempDir Path dir) throws IOException {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    Path machines = Files.writeString(dir.resolve("machines"), "localhost port=" + port + "\n\n127.0.0.1 port=" + port + "\n");

    int code = launch(2, "niodev", machines, FailingTasks.Hello.class);

    assertThat(code).isEqualTo(2);
    assertThat(output()).contains("cannot reach the MPJ daemon of host localhost at localhost:" + port + " (" + machines
        + " line 1)");
  }
}

package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A multicore rank that never reaches a shared-memory allreduce ends the job like any stalled collective. */
class ShmDeadlineTest {
  @Test
  void stalledPeerEndsTheJobWithExitCode3NamingTheCall() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long started = System.nanoTime();

    int code = Launcher.launch(new LaunchSpec(2, "multicore", null,
        List.of("--task=" + ShmStallTask.class.getName())), out);

    String output = out.toString(Charset.defaultCharset());
    assertThat(code).as(output).isEqualTo(3);
    assertThat(output).contains("lockstep: rank 0: allreduce #1 did not complete within 1s; rank 1 never arrived")
        .doesNotContain("returned without its peer");
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
  }
}

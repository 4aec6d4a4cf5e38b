package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.launch.AllreduceBenchTask;
import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchAllreduceCommandTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LockstepCommand.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
  }

  @Test
  void sizesTakeBinarySuffixesAndDecimals() {
    BenchAllreduceCommand c = new BenchAllreduceCommand();
    assertThat(c.parseBytes("4K")).isEqualTo(4096);
    assertThat(c.parseBytes("64M")).isEqualTo(64L << 20);
    assertThat(c.parseBytes("7.1M")).isEqualTo(Math.round(7.1 * (1 << 20) / 4) * 4);
    assertThat(c.parseBytes("1000")).isEqualTo(1000);
  }

  @Test
  void badOptionsAreUsageErrorsAndStartNothing() {
    assertThat(run("bench", "allreduce", "--sizes", "4Q")).isEqualTo(2);
    assertThat(err.toString()).contains("--sizes: '4Q' is not a size");
    assertThat(run("bench", "allreduce", "--dev", "niodev", "--algorithms", "shm")).isEqualTo(2);
    assertThat(err.toString()).contains("shm needs --dev multicore");
    assertThat(run("bench", "allreduce", "--algorithms", "tree")).isEqualTo(2);
  }

  @Test
  void benchTaskPrintsOneRowPerSizeWithAColumnPairPerAlgorithmAndAutosPick() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Launcher.launch(new LaunchSpec(2, "multicore", null,
        List.of("--task=" + AllreduceBenchTask.class.getName(), "4096,40000", "shm,mpj,auto")), out);
    String text = out.toString(Charset.defaultCharset());
    assertThat(code).as(text).isZero();
    String pair = " +\\d+\\.\\d{3} +\\d+\\.\\d{2}";
    assertThat(text).containsPattern("size +shm ms +GB/s +mpj ms +GB/s +auto ms +GB/s +reps +auto picks")
        .containsPattern("4K" + pair + pair + pair + " +100 +shm\\R")
        .containsPattern("39\\.1K" + pair + pair + pair + " +100 +shm\\R");
  }

  @Test
  void rankProcessesOfThisHostPickTheSharedSegment() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Launcher.launch(new LaunchSpec(2, "niodev", null,
        List.of("--task=" + AllreduceBenchTask.class.getName(), "4096", "shm_process,mpj")), out);
    String text = out.toString(Charset.defaultCharset());
    assertThat(code).as(text).isZero();
    String pair = " +\\d+\\.\\d{3} +\\d+\\.\\d{2}";
    assertThat(text).containsPattern("4K" + pair + pair + " +100 +shm_process\\R");
  }
}

package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's command for users who start the ranks with MPJ's own launcher, run exactly as written:
 * {@code target/mpj-home/bin/mpjrun.sh -np 2 -dev multicore -jar target/lockstep.jar train ...} from the project
 * directory. MPJ's starter itself never passes on an exit code; a rank that throws or calls System.exit must still
 * make the command exit non-zero, and a good run exit 0.
 */
class MpjStarterExitIT {
  private static final Path JAR = Path.of("target/lockstep.jar");
  @TempDir static Path dir;
  static Path config;
  static Path mpjrun;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.isRegularFile(JAR), "target/lockstep.jar is built by 'package', before this test");
    MpjHome home = MpjHome.resolve(); // target/mpj-home (the build's lockstep.mpj.home), assembled if missing
    mpjrun = home.dir().resolve("bin/mpjrun.sh");
    assertThat(Path.of("").toAbsolutePath().relativize(mpjrun).toString()).isEqualTo("target/mpj-home/bin/mpjrun.sh");
    config = dir.resolve("syn.yaml");
    Files.writeString(config, """
        run: {name: r, seed: 5, epochs: 1, out_dir: "%s"}
        model: {layers: [{type: linear, units: 12}, {type: tanh}, {type: linear, units: 3}]}
        data:
          format: synthetic
          batch_size: 12
          synthetic: {task: classification, train_samples: 240, test_samples: 60, features: 7, outputs: 3, seed: 4}
        optimizer: {type: sgd, lr: 0.05}
        backend: {device: cpu}
        """.formatted(dir.resolve("runs")));
  }

  private record Run(int code, String output) {}

  private static Run mpjrun(String... sets) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("target/mpj-home/bin/mpjrun.sh", "-np", "2", "-dev", "multicore",
        "-jar", "target/lockstep.jar", "train", "-c", config.toString()));
    for (String s : sets) {
      command.add("--set");
      command.add(s);
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("MPJ_HOME");
    Process p = builder.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void aGoodRunExitsZero() throws Exception {
    Run r = mpjrun();
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("MPJ Express (0.44) is started in the multicore configuration", "done: 10 steps");
  }

  @Test
  void aRankThatThrowsMakesMpjsStarterExit3() throws Exception {
    Run r = mpjrun("simulate.fail.rank=1", "simulate.fail.step=3", "simulate.fail.how=throw");
    assertThat(r.code()).as(r.output()).isEqualTo(3);
    assertThat(r.output()).contains("lockstep: rank 1 at step 3 failed: simulate.fail: rank 1 throws at step 3");
  }

  @Test
  void aRankThatCallsSystemExitMakesMpjsStarterExit3() throws Exception {
    Run r = mpjrun("simulate.fail.rank=1", "simulate.fail.step=3", "simulate.fail.how=exit");
    assertThat(r.code()).as(r.output()).isEqualTo(3);
    assertThat(r.output()).contains("simulate.fail: System.exit(1) at step 3",
        "ended without finishing (System.exit, a signal or a crash): exit code 3");
  }
}

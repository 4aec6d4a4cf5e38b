package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bin/lockstep's help on a terminal of a given width (a pseudo-terminal from util-linux's script(1)). */
class HelpWidthIT {
  private static String helpOnTerminal(int columns) throws Exception {
    ProcessBuilder b = new ProcessBuilder("script", "-qec", "stty cols " + columns + "; bin/lockstep train --help",
        "/dev/null").redirectErrorStream(true);
    Process p = b.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return new String(out, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "").replace("\r", "");
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 160})
  void helpIsAsWideAsTheTerminal(int columns) throws Exception {
    assumeTrue(Files.isRegularFile(Path.of("target/lockstep.jar")), "target/lockstep.jar is built by 'package'");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux's script(1) makes a terminal");
    List<String> lines = helpOnTerminal(columns).lines().toList();
    int widest = lines.stream().mapToInt(String::length).max().orElseThrow();
    assertThat(widest).as(String.join("\n", lines)).isGreaterThan(90).isLessThanOrEqualTo(columns);
    if (columns < 120) {
      return;
    }
    // the example command stays on one line where it fits
    assertThat(lines).anySatisfy(l -> assertThat(l).contains(
        "lockstep train -c cfg.yaml --json --run-dir runs/exp-42 | jq -c 'select(.kind == \"step\") | [.step, .loss]'"));
  }
}

package dev.lockstep.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void rendersStepsEtaAndFigures() {
    String line = ProgressBar.render(1, 3, 117, 468, 10.0, 0.39124, 0.8612, 6100.4, 0.304);
    // 117/468 = a quarter done: 6 of 24 cells; 351 steps left at 10 s per 117 steps = 30 s
    assertThat(line).isEqualTo("epoch 1/3 [######------------------] 117/468 ETA 0:30 | loss 0.3912 | acc 0.861 | "
        + "6100 samples/s | comm 30%");
  }

  @Test
  void theBarIsFullAndSaysDoneAtTheEnd() {
    assertThat(ProgressBar.render(2, 2, 7, 7, 3, 1, 1, 1, 0)).contains("[" + "#".repeat(24) + "] 7/7 done");
    assertThat(ProgressBar.render(2, 2, 0, 7, 0, Double.NaN, 0, 0, 0)).contains("0/7 ETA --:--");
  }

  @Test
  void clockFormats() {
    assertThat(ProgressBar.clock(0)).isEqualTo("0:00");
    assertThat(ProgressBar.clock(59.6)).isEqualTo("1:00");
    assertThat(ProgressBar.clock(3725)).isEqualTo("1:02:05");
  }

  @Test
  void liveProgressRedrawsInPlaceAndEndsTheLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LiveProgress live = new LiveProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    live.startEpoch(1, 1, 3);
    live.step(2.0, 5, 10, 0.0);
    live.step(1.0, 7, 10, 0.0);
    live.step(1.0, 9, 10, 0.0);
    live.endEpoch();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).startsWith("\r").endsWith("\033[K" + System.lineSeparator()).doesNotContain("\n\r");
    String last = out.substring(out.lastIndexOf('\r') + 1);
    // loss: exponential average 2 → 1.9 → 1.81; accuracy over the epoch 21/30
    assertThat(last).startsWith("epoch 1/1 [" + "#".repeat(24) + "] 3/3 done | loss 1.8100 | acc 0.700 |");
  }

  @Test
  void consoleModeFollowsFlagsThenTheLaunchersWord() {
    java.util.Map<String, String> live = java.util.Map.of(ConsoleMode.ENV, "live");
    assertThat(ConsoleMode.of(false, false, live)).isEqualTo(ConsoleMode.LIVE);
    assertThat(ConsoleMode.of(false, false, java.util.Map.of())).isEqualTo(ConsoleMode.PLAIN);
    assertThat(ConsoleMode.of(true, false, live)).isEqualTo(ConsoleMode.QUIET);
    assertThat(ConsoleMode.of(false, true, live)).isEqualTo(ConsoleMode.JSON);
    assertThat(ConsoleMode.liveFor(true, java.util.Map.of("TERM", "dumb"))).isFalse();
    assertThat(ConsoleMode.liveFor(false, java.util.Map.of())).isFalse();
    assertThat(ConsoleMode.liveFor(true, java.util.Map.of("TERM", "xterm"))).isTrue();
  }
}

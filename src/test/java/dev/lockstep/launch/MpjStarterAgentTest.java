package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How MPJ's starter is recognised, and the exit code the agent gives it from the ranks' status files. */
class MpjStarterAgentTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int verdict(Path dir) {
    return MpjStarterAgent.verdict(dir, new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void recognisesMpjsStarterAndNotLockstepsLauncher() {
    assertThat(MpjStarterExit.isMpjStarter(List.of("-jar", "/opt/mpj/lib/starter.jar", "-np", "2"))).isTrue();
    assertThat(MpjStarterExit.isMpjStarter(List.of("-Xmx1g", "-jar", "/usr/share/mpj/lib/starter-0.44.jar"))).isTrue();
    assertThat(MpjStarterExit.isMpjStarter(List.of("-cp", "lib/starter.jar", "runtime.starter.MPJRun"))).isTrue();
    // lockstep's launcher (bin/lockstep) and a user's own jar named like it
    assertThat(MpjStarterExit.isMpjStarter(List.of("-cp", "target/lockstep.jar:target/lib/*", "dev.lockstep.Main",
        "train"))).isFalse();
    assertThat(MpjStarterExit.isMpjStarter(List.of("-jar", "target/lockstep.jar", "starter.jar"))).isFalse();
  }

  @Test
  void everyRankFinishedIsZeroAndAFailedRankGivesItsCode(@TempDir Path dir) throws IOException {
    assertThat(verdict(dir)).isZero();
    Files.writeString(dir.resolve("0" + MpjStarterAgent.RUNNING), "");
    Files.writeString(dir.resolve("1" + MpjStarterAgent.RUNNING), "");
    Files.writeString(dir.resolve("1" + MpjStarterAgent.FAILED), "2\n");
    assertThat(verdict(dir)).isEqualTo(2); // the failed rank's own code, although rank 0 never finished either
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aRankThatNeverFinishedGives3AndIsNamed(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("1" + MpjStarterAgent.RUNNING), "");
    assertThat(verdict(dir)).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("MPJ rank(s) 1 ended without finishing");
  }

  @Test
  void anUnreadableStatusDirectoryCountsAsAFailure(@TempDir Path dir) {
    assertThat(verdict(dir.resolve("gone"))).isEqualTo(3);
  }
}

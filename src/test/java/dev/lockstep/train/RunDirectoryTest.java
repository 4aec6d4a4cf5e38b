package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --run-dir on the rank side (what a user who starts the ranks with mpjrun.sh gets): new or empty only. */
class RunDirectoryTest {
  @TempDir
  Path dir;

  @Test
  void anExactRunDirectoryIsCreatedWithItsParentsOrTakenWhenEmpty() throws IOException {
    Path deep = dir.resolve("a/b/run");
    assertThat(RunDirectory.createExact(deep).path()).isEqualTo(deep);
    assertThat(deep).isEmptyDirectory();
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThat(RunDirectory.createExact(empty).path()).isEqualTo(empty);
  }

  @Test
  void aDirectoryWithFilesIsRefusedNamingTheWayToContinueIt() throws IOException {
    Path used = Files.createDirectories(dir.resolve("used"));
    Files.writeString(used.resolve("summary.json"), "{}");
    assertThatThrownBy(() -> OutputPreflight.createExactRunDirectory(used))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--run-dir: " + used + " exists and is not empty (choose a new or empty directory; to continue "
            + "a run there, use --resume " + used + ")");
    assertThat(used.resolve("summary.json")).hasContent("{}");
  }
}

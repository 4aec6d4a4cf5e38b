package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress files as rank processes use them: each rank writes its own, reads the others', the launcher reads any. */
class ProgressTest {
  @TempDir Path dir;

  @Test
  void ranksSeeWhichPeersHaveNotReachedACollectiveAndTheLauncherReadsTheirSteps() {
    Progress r0 = Progress.files(dir, 0, 3);
    Progress r1 = Progress.files(dir, 1, 3); // rank 2 never starts: no file, counted as not arrived
    assertThat(r0.unknownWhy()).isNull();

    r0.step(4);
    long n = r0.enterCollective();
    assertThat(n).isEqualTo(1);
    assertThat(r0.notArrivedAt(n)).containsExactly(1, 2);

    r1.step(3);
    r1.enterCollective();
    assertThat(r0.notArrivedAt(n)).containsExactly(2);
    assertThat(r0.notArrivedAt(r0.enterCollective())).containsExactly(1, 2); // rank 1 is one behind now
    assertThat(r0.stepOf(1)).isEqualTo(3);
    assertThat(r0.stepOf(2)).isEqualTo(-1);

    assertThat(Progress.stepInFile(dir, 0)).hasValue(4);
    assertThat(Progress.stepInFile(dir, 1)).hasValue(3);
    assertThat(Progress.stepInFile(dir, 2)).isEmpty();
    assertThat(Files.exists(dir.resolve("rank-0.progress"))).isTrue();
  }

  @Test
  void withoutAJobDirectoryOnThisHostThePeersAreUnknownAndSaySo() {
    Progress p = Progress.files(dir.resolve("elsewhere"), 1, 2);
    p.step(9);
    assertThat(p.step()).isEqualTo(9);
    assertThat(p.unknownWhy()).contains("is not on this host");
    assertThat(p.notArrivedAt(p.enterCollective())).containsExactly(0); // unreadable counts as not arrived
    assertThat(Progress.unknown(0, 2, "started by mpjrun.sh").unknownWhy()).isEqualTo("started by mpjrun.sh");
  }
}

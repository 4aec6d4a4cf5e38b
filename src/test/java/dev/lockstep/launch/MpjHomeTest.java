package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpjHomeTest {
  private static final DebianMpj MISSING =
      new DebianMpj(Path.of("/nonexistent/mpj/lib"), Path.of("/nonexistent/java"), Path.of("/nonexistent/conf"));

  private static void assumeDebianMpj() {
    assumeTrue(Files.isRegularFile(DebianMpj.INSTALLED.mpjLib().resolve("starter.jar")), "libmpj-java installed");
  }

  @Test
  void assemblesAHomeOfCopiedJarsAndTheConfig(@TempDir Path dir) {
    assumeDebianMpj();
    Path home = dir.resolve("mpj-home");

    MpjHome mpj = MpjHome.resolve(Map.of(), null, home, DebianMpj.INSTALLED);

    assertThat(mpj.dir()).isEqualTo(home);
    for (String jar : List.of("starter.jar", "mpj.jar", "mpi.jar", "mpjdev.jar", "smpdev.jar", "log4j-1.2.jar",
        "commons-cli.jar", "commons-codec.jar", "commons-io.jar", "runtimecommon.jar")) {
      assertThat(home.resolve("lib").resolve(jar)).isRegularFile().satisfies(p -> assertThat(Files.isSymbolicLink(p)).isFalse());
    }
    assertThat(home.resolve("conf/mpjexpress.conf")).content().contains("mpjexpress.mpi.old.collectives");
    assertThat(mpj.multicoreJvmJars()).extracting(p -> p.getFileName().toString())
        .contains("starter.jar", "smpdev.jar", "log4j-1.2.jar")
        .doesNotContain("mpi.jar", "mpj.jar", "mpjdev.jar");
    assertThat(mpj.processRankJars()).extracting(p -> p.getFileName().toString()).contains("mpj.jar");
  }

  @Test
  void concurrentAssemblersAllGetOneCompleteHomeAndLeaveNoTemporaries(@TempDir Path dir) throws Exception {
    assumeDebianMpj();
    Path home = dir.resolve("mpj-home");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<MpjHome>> homes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<MpjHome> resolve = () -> MpjHome.resolve(Map.of(), null, home, DebianMpj.INSTALLED);
        homes.add(pool.submit(resolve));
      }
      for (Future<MpjHome> h : homes) {
        assertThat(h.get().dir()).isEqualTo(home);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(MpjHome.isUsable(home)).isTrue();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(home);
    }
  }

  @Test
  void aValidMpjHomeVariableWinsAndAnInvalidOneIsIgnored(@TempDir Path dir) throws IOException {
    Path user = dir.resolve("user-mpj");
    Files.createDirectories(user.resolve("lib"));
    Files.writeString(user.resolve("lib/mpj.jar"), "");
    Path assembled = dir.resolve("assembled");
    Files.createDirectories(assembled.resolve("lib"));
    Files.writeString(assembled.resolve("lib/starter.jar"), "");

    assertThat(MpjHome.resolve(Map.of("MPJ_HOME", user.toString()), null, dir.resolve("x"), MISSING).dir())
        .isEqualTo(user);
    assertThat(MpjHome.resolve(Map.of("MPJ_HOME", dir.resolve("nothing").toString()), assembled.toString(),
        dir.resolve("x"), MISSING).dir()).isEqualTo(assembled);
  }

  @Test
  void withoutMpjTheErrorSaysWhatToInstall(@TempDir Path dir) {
    assertThatThrownBy(() -> MpjHome.resolve(Map.of(), null, dir.resolve("mpj-home"), MISSING))
        .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessage("MPJ Express is not installed (no /nonexistent/mpj/lib/starter.jar):"
            + " install Debian's libmpj-java or set MPJ_HOME");
    assertThat(dir.resolve("mpj-home")).doesNotExist();
  }
}

package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling Debian's broken /usr/bin/mpjrun from a working one, by the starter jar's manifest (mpj-notes.md). */
class DebianMpjrunTest {
  @TempDir
  Path dir;

  private DebianMpj debianWithStarter(String classPath) throws IOException {
    Path lib = Files.createDirectories(dir.resolve("usr/share/mpj/lib"));
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    Path real = lib.resolve("starter-0.44.jar");
    try (OutputStream out = Files.newOutputStream(real); JarOutputStream jar = new JarOutputStream(out, m)) {
      jar.flush();
    }
    Files.createSymbolicLink(lib.resolve("starter.jar"), real.getFileName());
    return new DebianMpj(lib, dir.resolve("usr/share/java"), dir.resolve("etc/mpj/mpjexpress.conf"));
  }

  @Test
  void log4jMissingBesideTheStarterMeansBroken() throws IOException {
    DebianMpj debian = debianWithStarter("org.mortbay.jetty.jar log4j-1.2.jar runtimecommon.jar");
    Path mpjrun = Files.writeString(dir.resolve("mpjrun"), "#!/bin/bash\n");
    assertThat(debian.mpjrunProblem(mpjrun)).hasValueSatisfying(p -> assertThat(p)
        .contains(mpjrun + " is Debian's broken one", "log4j-1.2.jar, which is missing"));
  }

  @Test
  void log4jPresentOrNoMpjrunMeansNothingToSay() throws IOException {
    DebianMpj debian = debianWithStarter("log4j-1.2.jar runtimecommon.jar");
    Files.writeString(dir.resolve("usr/share/mpj/lib/log4j-1.2.jar"), "");
    Path mpjrun = Files.writeString(dir.resolve("mpjrun"), "#!/bin/bash\n");
    assertThat(debian.mpjrunProblem(mpjrun)).isEmpty();
    assertThat(debian.mpjrunProblem(dir.resolve("no-such-mpjrun"))).isEmpty();
  }

  @Test
  void theRealDebianPackageIsReportedBrokenWhenInstalled() {
    Path real = Path.of("/usr/bin/mpjrun");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(real)
        && !Files.exists(Path.of("/usr/share/mpj/lib/log4j-1.2.jar")), "Debian's libmpj-java 0.44 as shipped");
    assertThat(DebianMpj.INSTALLED.mpjrunProblem(real)).isPresent();
  }
}

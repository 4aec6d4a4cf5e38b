package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankClasspathTest {
  private static List<Path> paths(String... entries) {
    return java.util.Arrays.stream(entries).map(Path::of).toList();
  }

  @Test
  void productionClasspathSplitsNativeJarsFromAppJarsAndDropsMpj() {
    // bin/lockstep: java -cp target/lockstep.jar:target/lib/* (java expands the wildcard into these entries)
    RankClasspath cp = RankClasspath.partition(paths(
        "/opt/ls/target/lockstep.jar",
        "/opt/ls/target/lib/picocli-4.7.7.jar",
        "/opt/ls/target/lib/jackson-databind-2.22.3.jar",
        "/opt/ls/target/lib/javacpp-1.5.13.jar",
        "/opt/ls/target/lib/javacpp-1.5.13-linux-x86_64.jar",
        "/opt/ls/target/lib/openblas-0.3.31-1.5.13-linux-x86_64.jar",
        "/opt/ls/target/lib/cuda-12.6-9.5-1.5.11-linux-x86_64.jar",
        "/opt/ls/target/lib/mpj-0.44.jar",
        "/opt/ls/target/lib/picocli-4.7.7.jar"));

    assertThat(cp.shared()).extracting(p -> p.getFileName().toString()).containsExactly(
        "javacpp-1.5.13.jar", "javacpp-1.5.13-linux-x86_64.jar", "openblas-0.3.31-1.5.13-linux-x86_64.jar",
        "cuda-12.6-9.5-1.5.11-linux-x86_64.jar");
    assertThat(cp.app()).extracting(p -> p.getFileName().toString())
        .containsExactly("lockstep.jar", "picocli-4.7.7.jar", "jackson-databind-2.22.3.jar");
  }

  @Test
  void mpjJarsOfAnyNameAreDropped() {
    RankClasspath cp = RankClasspath.partition(paths(
        "classes", "/usr/share/java/mpj.jar", "/h/lib/mpi.jar", "/h/lib/mpjdev.jar", "/h/lib/mpiExp.jar",
        "/root/.m2/repository/mpjexpress/mpj/0.44/mpj-0.44.jar"));

    assertThat(cp.shared()).isEmpty();
    assertThat(cp.app()).containsExactly(Path.of("classes").toAbsolutePath());
  }

  @Test
  void thisTestJvmsClasspathHasTheTestClassesAsAppAndJavacppAsShared() {
    RankClasspath cp = RankClasspath.ofThisJvm();

    assertThat(cp.app()).anyMatch(p -> p.endsWith(Path.of("target", "test-classes")));
    assertThat(cp.app()).anyMatch(p -> p.endsWith(Path.of("target", "classes")));
    assertThat(cp.app()).noneMatch(p -> p.getFileName().toString().startsWith("surefirebooter"));
    assertThat(cp.shared()).anyMatch(p -> p.getFileName().toString().startsWith("javacpp"));
    assertThat(cp.app()).noneMatch(p -> p.getFileName().toString().startsWith("mpj"));
  }

  @Test
  void aSingleJarClasspathIsExpandedThroughItsManifest(@TempDir Path dir) throws IOException {
    // java -jar target/lockstep.jar: the manifest's Class-Path names lib/*.jar relative to the jar
    Path jar = dir.resolve("lockstep.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/picocli-4.7.7.jar lib/javacpp-1.5.13.jar");
    try (OutputStream out = Files.newOutputStream(jar)) {
      new JarOutputStream(out, manifest).close(); // a manifest-only jar
    }
    assertThat(RankClasspath.entries(null, jar.toString()))
        .containsExactly(jar, dir.resolve("lib/picocli-4.7.7.jar"), dir.resolve("lib/javacpp-1.5.13.jar"));
  }
}

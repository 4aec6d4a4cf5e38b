package dev.lockstep.comm.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host keys: equal for processes of one machine and network namespace, different across namespaces. */
class HostKeyTest {
  @TempDir
  Path dir;

  @Test
  void aKeyNamesHostNetworkNamespaceAndBoot() throws Exception {
    Path proc = fakeProc("h1", "net:[4026531833]", "b-1");
    assertThat(HostKey.of(proc)).isEqualTo("h1/net:[4026531833]/b-1");
    assertThat(HostKey.of(fakeProc("h1", "net:[4026532000]", "b-1"))).isNotEqualTo(HostKey.of(proc));
    assertThat(HostKey.of(fakeProc("h1", "net:[4026531833]", "b-2"))).isNotEqualTo(HostKey.of(proc));
    assertThat(HostKey.of(dir.resolve("no-proc"))).isNull();
  }

  @Test
  void thisProcessHasAStableKey() {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/ns")), "not Linux");
    assertThat(HostKey.ofThisProcess()).isNotNull().isEqualTo(HostKey.ofThisProcess());
  }

  /** A JVM in a new network namespace (as the cluster tests' emulated hosts) gets another key. */
  @Test
  void aProcessInAnotherNetworkNamespaceHasAnotherKey() throws Exception {
    Assumptions.assumeTrue(new File("/usr/bin/unshare").canExecute(), "no unshare (util-linux)");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = location(HostKey.class) + File.pathSeparator + location(PrintKey.class);
    Process p = new ProcessBuilder(List.of("/usr/bin/unshare", "--net", java, "-cp", cp, PrintKey.class.getName()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Assumptions.assumeTrue(p.exitValue() == 0, "cannot create a network namespace here: " + out);
    String mine = HostKey.ofThisProcess();
    assertThat(out).isNotEqualTo(mine);
    assertThat(out.replaceAll("net:\\[\\d+]", "")).as("same host name and boot").isEqualTo(
        mine.replaceAll("net:\\[\\d+]", ""));
  }

  /** Prints this process's key (run in another namespace by the test above). */
  public static final class PrintKey {
    public static void main(String[] args) {
      System.out.println(HostKey.ofThisProcess());
    }
  }

  private static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private Path fakeProc(String host, String netns, String boot) throws Exception {
    Path proc = Files.createTempDirectory(dir, "proc");
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.createDirectories(proc.resolve("self/ns"));
    Files.writeString(proc.resolve("sys/kernel/hostname"), host + "\n");
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), boot + "\n");
    Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of(netns));
    return proc;
  }
}

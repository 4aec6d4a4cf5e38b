package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachinesFileTest {
  @Test
  void readsOneLocalHostPerLineSkippingCommentsAndBlanks(@TempDir Path dir) throws IOException {
    String self = InetAddress.getLocalHost().getHostName();
    Path file = Files.writeString(dir.resolve("m"), "# hosts\nlocalhost  # the box\n\n" + self + "\n127.0.0.1\n");

    assertThat(MachinesFile.readLocalHosts(file)).containsExactly("localhost", self, "127.0.0.1");
  }

  @Test
  void rejectsRemoteUnknownAndMalformedHostsNamingTheLine(@TempDir Path dir) throws IOException {
    Path remote = Files.writeString(dir.resolve("remote"), "localhost\n198.51.100.3\n");
    Path unknown = Files.writeString(dir.resolve("unknown"), "no-such-host.invalid\n");
    Path twoPerLine = Files.writeString(dir.resolve("two"), "localhost 127.0.0.1\n");
    Path empty = Files.writeString(dir.resolve("empty"), "# nobody\n");

    assertThatThrownBy(() -> MachinesFile.readLocalHosts(remote)).hasMessageStartingWith(
        remote + " line 2: host '198.51.100.3' is not this machine; multi-host runs need MPJ daemons");
    assertThatThrownBy(() -> MachinesFile.readLocalHosts(unknown))
        .hasMessage(unknown + " line 1: unknown host 'no-such-host.invalid'");
    assertThatThrownBy(() -> MachinesFile.readLocalHosts(twoPerLine))
        .hasMessage(twoPerLine + " line 1: expected one host name per line, got 'localhost 127.0.0.1'");
    assertThatThrownBy(() -> MachinesFile.readLocalHosts(empty)).hasMessage("machines file " + empty + " lists no hosts");
    assertThatThrownBy(() -> MachinesFile.readLocalHosts(dir.resolve("absent")))
        .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessageStartingWith("cannot read machines file " + dir.resolve("absent"));
  }
}

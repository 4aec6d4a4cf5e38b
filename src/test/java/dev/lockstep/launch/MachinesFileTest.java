package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachinesFileTest {
  @Test
  void readsHostsPortsAndNamespacesSkippingCommentsAndBlanks(@TempDir Path dir) throws IOException {
    String self = InetAddress.getLocalHost().getHostName();
    Path file = Files.writeString(dir.resolve("m"),
        "# hosts\nlocalhost  # the box\n\n" + self + "\n127.0.0.1:41055\n10.251.0.2 netns=ls-h2\n");

    List<Machine> machines = MachinesFile.read(file, 40055);

    assertThat(machines).extracting(Machine::address)
        .containsExactly("localhost:40055", self + ":40055", "127.0.0.1:41055", "10.251.0.2:40055");
    assertThat(machines).extracting(Machine::netns).containsExactly(null, null, null, "ls-h2");
    assertThat(machines.get(2).where()).isEqualTo(file + " line 5");
    assertThat(MachinesFile.allThisMachine(machines.subList(0, 2))).isTrue();
    assertThat(MachinesFile.allThisMachine(machines.subList(0, 3))).as("a daemon port means daemons").isFalse();
    assertThat(MachinesFile.allThisMachine(machines.subList(3, 4))).isFalse();
  }

  @Test
  void rejectsMalformedAndUnknownHostsNamingTheLine(@TempDir Path dir) throws IOException {
    Path unknown = Files.writeString(dir.resolve("unknown"), "no-such-host.invalid\n");
    Path twoPerLine = Files.writeString(dir.resolve("two"), "localhost 127.0.0.1\n");
    Path badPort = Files.writeString(dir.resolve("port"), "localhost\nlocalhost:99999\n");
    Path badNs = Files.writeString(dir.resolve("ns"), "localhost netns=a/b\n");
    Path empty = Files.writeString(dir.resolve("empty"), "# nobody\n");

    assertThatThrownBy(() -> MachinesFile.read(unknown, 40055))
        .hasMessage(unknown + " line 1: unknown host 'no-such-host.invalid'");
    assertThatThrownBy(() -> MachinesFile.read(twoPerLine, 40055))
        .hasMessage(twoPerLine + " line 1: expected 'HOST[:PORT] [netns=NAME]', got 'localhost 127.0.0.1'");
    assertThatThrownBy(() -> MachinesFile.read(badPort, 40055))
        .hasMessage(badPort + " line 2: bad daemon port '99999' (expected 1..65535)");
    assertThatThrownBy(() -> MachinesFile.read(badNs, 40055))
        .hasMessage(badNs + " line 1: bad network namespace name 'a/b'");
    assertThatThrownBy(() -> MachinesFile.read(empty, 40055)).hasMessage("machines file " + empty + " lists no hosts");
    assertThatThrownBy(() -> MachinesFile.read(dir.resolve("absent"), 40055))
        .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessageStartingWith("cannot read machines file " + dir.resolve("absent"));
  }

  @Test
  void placesRanksInBlocksOfCeilNpOverHosts() {
    assertThat(DaemonJob.placement(4, 2)).containsExactly(new int[] {0, 2}, new int[] {2, 2});
    assertThat(DaemonJob.placement(3, 2)).containsExactly(new int[] {0, 2}, new int[] {2, 1});
    assertThat(DaemonJob.placement(1, 2)).containsExactly(new int[] {0, 1});
    assertThat(DaemonJob.placement(5, 3)).containsExactly(new int[] {0, 2}, new int[] {2, 2}, new int[] {4, 1});
  }

  @Test
  void hybdevPlacesRanksAsMpjsHybridDeviceDoes() {
    // HYBDevice.getProcPerHost: np / hosts each, the first np % hosts hosts one more; ranks consecutive per host
    assertThat(DaemonJob.hybdevPlacement(4, 2)).containsExactly(new int[] {0, 2}, new int[] {2, 2});
    assertThat(DaemonJob.hybdevPlacement(5, 2)).containsExactly(new int[] {0, 3}, new int[] {3, 2});
    assertThat(DaemonJob.hybdevPlacement(4, 3)).containsExactly(new int[] {0, 2}, new int[] {2, 1}, new int[] {3, 1});
    assertThat(DaemonJob.hybdevPlacement(7, 3)).containsExactly(new int[] {0, 3}, new int[] {3, 2}, new int[] {5, 2});
    assertThat(DaemonJob.hybdevPlacement(2, 3)).containsExactly(new int[] {0, 1}, new int[] {1, 1});
  }
}

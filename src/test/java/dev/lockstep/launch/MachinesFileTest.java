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
        "# hosts\nlocalhost  # the box\n\n" + self + "\n127.0.0.1 port=41055\n10.251.0.2 netns=ls-h2\n");

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
    Path badPort = Files.writeString(dir.resolve("port"), "localhost\nlocalhost port=99999\n");
    Path badNs = Files.writeString(dir.resolve("ns"), "localhost netns=a/b\n");
    Path empty = Files.writeString(dir.resolve("empty"), "# nobody\n");

    assertThatThrownBy(() -> MachinesFile.read(unknown, 40055))
        .hasMessage(unknown + " line 1: unknown host 'no-such-host.invalid'");
    assertThatThrownBy(() -> MachinesFile.read(twoPerLine, 40055))
        .hasMessage(twoPerLine + " line 1: expected 'HOST[:SLOTS] [slots=N] [port=P] [netns=NAME]', got 'localhost 127.0.0.1'");
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
  void readsSlotsAsHorovodAndOpenMpiWriteThemAndTheDaemonPortAsPortEquals(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("m"),
        "localhost slots=4\n127.0.0.1:2 port=41055\nlocalhost port=41056 slots=3 netns=h3\nlocalhost\n");

    List<Machine> machines = MachinesFile.read(file, 40055);

    assertThat(machines).extracting(Machine::slots).containsExactly(4, 2, 3, 0);
    assertThat(machines).extracting(Machine::address)
        .containsExactly("localhost:40055", "127.0.0.1:41055", "localhost:41056", "localhost:40055");
    assertThat(machines).extracting(Machine::portGiven).containsExactly(false, true, true, false);
    assertThat(machines.get(2).netns()).isEqualTo("h3");
    assertThat(MachinesFile.allThisMachine(machines.subList(0, 1))).as("slots alone need no daemons").isTrue();
  }

  @Test
  void rejectsBadSlotsAndTheOldHostColonPortNamingTheFix(@TempDir Path dir) throws IOException {
    Path oldPort = Files.writeString(dir.resolve("old"), "node2:41055\n");
    Path zero = Files.writeString(dir.resolve("zero"), "localhost slots=0\n");
    Path twice = Files.writeString(dir.resolve("twice"), "localhost:2 slots=2\n");
    Path unknownKey = Files.writeString(dir.resolve("key"), "localhost cpus=2\n");

    assertThatThrownBy(() -> MachinesFile.read(oldPort, 40055)).hasMessage(oldPort + " line 1: 'node2:41055': the "
        + "number after ':' is the host's slots (ranks on it, as in Horovod/Open MPI), at most 1023; a daemon port is "
        + "written port=41055");
    assertThatThrownBy(() -> MachinesFile.read(zero, 40055))
        .hasMessage(zero + " line 1: bad slots '0' (expected a positive integer)");
    assertThatThrownBy(() -> MachinesFile.read(twice, 40055))
        .hasMessage(twice + " line 1: slots given twice in 'localhost:2 slots=2'");
    assertThatThrownBy(() -> MachinesFile.read(unknownKey, 40055)).hasMessage(unknownKey
        + " line 1: expected 'HOST[:SLOTS] [slots=N] [port=P] [netns=NAME]', got 'localhost cpus=2'");
  }

  private static Machine host(String name, int slots) {
    return new Machine(name, 40055, null, false, slots, "m line 1");
  }

  @Test
  void slotsAreRanksPerHostFilledInFileOrder() {
    List<Machine> twoAndFour = List.of(host("a", 2), host("b", 4));
    assertThat(DaemonJob.placement(5, "niodev", twoAndFour)).containsExactly(new int[] {0, 2}, new int[] {2, 3});
    assertThat(DaemonJob.placement(2, "niodev", twoAndFour)).as("b is left out").containsExactly(new int[] {0, 2});
    // a host without slots takes one, once any host has slots
    assertThat(DaemonJob.placement(3, "niodev", List.of(host("a", 0), host("b", 2))))
        .containsExactly(new int[] {0, 1}, new int[] {1, 2});
    // no slots anywhere: ceil(np / hosts) per host, as before
    assertThat(DaemonJob.placement(3, "niodev", List.of(host("a", 0), host("b", 0))))
        .containsExactly(new int[] {0, 2}, new int[] {2, 1});
    assertThatThrownBy(() -> DaemonJob.placement(7, "niodev", twoAndFour))
        .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessage("--np 7 is more than the 6 slot(s) of the machines file (a: 2, b: 4); give the hosts more slots "
            + "or start fewer ranks");
    // hybdev: MPJ's placement, which must fit the slots
    assertThat(DaemonJob.placement(5, "hybdev", List.of(host("a", 3), host("b", 2))))
        .containsExactly(new int[] {0, 3}, new int[] {3, 2});
    assertThatThrownBy(() -> DaemonJob.placement(4, "hybdev", List.of(host("a", 1), host("b", 3))))
        .hasMessageStartingWith("--np 4 under hybdev puts 2 ranks on a (m line 1), which has 1 slot(s)");
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

package dev.lockstep.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --machines} file: one host per line, blank lines and {@code #} comments ignored. Only this machine is
 * supported for now: ranks on other hosts need MPJ daemons (or ssh) there, which lockstep does not start yet.
 */
final class MachinesFile {
  private MachinesFile() {}

  /** The hosts, in order; throws (exit 2) naming the file and line of a host that is unknown or not this machine. */
  static List<String> readLocalHosts(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw LaunchException.usage("cannot read machines file " + file + ": " + e.getMessage());
    }
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String host = stripComment(lines.get(i));
      if (host.isEmpty()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      if (host.chars().anyMatch(Character::isWhitespace)) {
        throw LaunchException.usage(where + ": expected one host name per line, got '" + host + "'");
      }
      if (!isThisMachine(host, where)) {
        throw LaunchException.usage(where + ": host '" + host + "' is not this machine; multi-host runs need MPJ"
            + " daemons on every host, which lockstep cannot start yet (list only this machine, or leave out"
            + " --machines)");
      }
      hosts.add(host);
    }
    if (hosts.isEmpty()) {
      throw LaunchException.usage("machines file " + file + " lists no hosts");
    }
    return hosts;
  }

  private static String stripComment(String line) {
    int hash = line.indexOf('#');
    return (hash >= 0 ? line.substring(0, hash) : line).strip();
  }

  static boolean isThisMachine(String host, String where) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw LaunchException.usage(where + ": unknown host '" + host + "'");
    }
    for (InetAddress address : addresses) {
      try {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()
            || NetworkInterface.getByInetAddress(address) != null) {
          return true;
        }
      } catch (SocketException e) {
        // cannot tell: treat as remote
      }
    }
    return false;
  }
}

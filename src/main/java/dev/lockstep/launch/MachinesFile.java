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
import java.util.regex.Pattern;

/**
 * A {@code --machines} file: one host per line, blank lines and {@code #} comments ignored. A line is
 * {@code HOST[:PORT] [netns=NAME]}: PORT is that host's MPJ daemon port (default {@link #DEFAULT_DAEMON_PORT});
 * {@code netns=NAME} says the host is network namespace NAME of this machine (tests and demos). MPJ's own machines
 * files (one host name per line) are valid ones.
 */
public final class MachinesFile {
  /** MPJ Express's default daemon port (mpjexpress.mpjdaemon.port.1). */
  public static final int DEFAULT_DAEMON_PORT = 40055;

  private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private MachinesFile() {}

  /** Every machine, in order; throws (exit 2) naming the file and line of a malformed or unknown entry. */
  public static List<Machine> read(Path file, int defaultPort) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw LaunchException.usage("cannot read machines file " + file + ": " + e.getMessage());
    }
    List<Machine> machines = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = stripComment(lines.get(i));
      if (!line.isEmpty()) {
        machines.add(parse(line, file + " line " + (i + 1), defaultPort));
      }
    }
    if (machines.isEmpty()) {
      throw LaunchException.usage("machines file " + file + " lists no hosts");
    }
    return List.copyOf(machines);
  }

  static Machine parse(String line, String where, int defaultPort) {
    String[] fields = line.split("\\s+");
    String netns = null;
    if (fields.length > 2 || (fields.length == 2 && !fields[1].startsWith("netns="))) {
      throw LaunchException.usage(where + ": expected 'HOST[:PORT] [netns=NAME]', got '" + line + "'");
    }
    if (fields.length == 2) {
      netns = fields[1].substring("netns=".length());
      if (!NETNS_NAME.matcher(netns).matches()) {
        throw LaunchException.usage(where + ": bad network namespace name '" + netns + "'");
      }
    }
    String host = fields[0];
    int port = defaultPort;
    boolean portGiven = false;
    int colon = host.lastIndexOf(':');
    if (colon >= 0) {
      String digits = host.substring(colon + 1);
      host = host.substring(0, colon);
      try {
        port = Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw LaunchException.usage(where + ": bad daemon port '" + digits + "' (expected 1..65535)");
      }
      portGiven = true;
    }
    if (host.isEmpty()) {
      throw LaunchException.usage(where + ": no host name in '" + line + "'");
    }
    resolve(host, where);
    return new Machine(host, port, netns, portGiven, where);
  }

  /**
   * True when the machines can run a niodev job without daemons: every one is this machine itself, with no daemon
   * port and no namespace named (the launcher then starts the rank processes directly).
   */
  static boolean allThisMachine(List<Machine> machines) {
    return machines.stream().allMatch(m -> !m.inNamespace() && !m.portGiven() && isThisMachine(m.host(), m.where()));
  }

  private static String stripComment(String line) {
    int hash = line.indexOf('#');
    return (hash >= 0 ? line.substring(0, hash) : line).strip();
  }

  private static InetAddress[] resolve(String host, String where) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw LaunchException.usage(where + ": unknown host '" + host + "'");
    }
  }

  static boolean isThisMachine(String host, String where) {
    for (InetAddress address : resolve(host, where)) {
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

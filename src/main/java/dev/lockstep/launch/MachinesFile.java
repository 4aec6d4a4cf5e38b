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
 * {@code HOST[:SLOTS] [slots=N] [port=P] [netns=NAME]}, as Horovod ({@code host:4}) and Open MPI ({@code host
 * slots=4}) write slots: how many ranks that host takes (see {@link DaemonJob#placement(int, String, List)}).
 * {@code port=P} is the host's MPJ daemon port (default {@link #DEFAULT_DAEMON_PORT}); {@code netns=NAME} says the
 * host is network namespace NAME of this machine (tests and demos). MPJ's own machines files (one host name per line)
 * are valid ones.
 */
public final class MachinesFile {
  /** MPJ Express's default daemon port (mpjexpress.mpjdaemon.port.1). */
  public static final int DEFAULT_DAEMON_PORT = 40055;
  /** Above this, {@code host:N} is surely a daemon port written the way lockstep once read it, not a slot count. */
  static final int MAX_SLOTS = 1023;
  private static final String FORMAT = "HOST[:SLOTS] [slots=N] [port=P] [netns=NAME]";

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
    String host = fields[0];
    Integer slots = null;
    Integer port = null;
    String netns = null;
    int colon = host.lastIndexOf(':');
    if (colon >= 0) {
      String digits = host.substring(colon + 1);
      host = host.substring(0, colon);
      slots = number(digits, where, "slot count after ':'");
      if (slots > MAX_SLOTS) {
        throw LaunchException.usage(where + ": '" + fields[0] + "': the number after ':' is the host's slots (ranks "
            + "on it, as in Horovod/Open MPI), at most " + MAX_SLOTS + "; a daemon port is written port=" + digits);
      }
    }
    for (int i = 1; i < fields.length; i++) {
      int eq = fields[i].indexOf('=');
      String key = eq < 0 ? fields[i] : fields[i].substring(0, eq);
      String value = eq < 0 ? "" : fields[i].substring(eq + 1);
      switch (key) {
        case "slots" -> {
          if (slots != null) {
            throw LaunchException.usage(where + ": slots given twice in '" + line + "'");
          }
          slots = number(value, where, "slots");
          if (slots > MAX_SLOTS) {
            throw LaunchException.usage(where + ": slots=" + value + " is more than " + MAX_SLOTS);
          }
        }
        case "port" -> {
          if (port != null) {
            throw LaunchException.usage(where + ": port given twice in '" + line + "'");
          }
          port = number(value, where, "daemon port");
          if (port > 65535) {
            throw LaunchException.usage(where + ": bad daemon port '" + value + "' (expected 1..65535)");
          }
        }
        case "netns" -> {
          if (netns != null) {
            throw LaunchException.usage(where + ": netns given twice in '" + line + "'");
          }
          netns = value;
          if (!NETNS_NAME.matcher(netns).matches()) {
            throw LaunchException.usage(where + ": bad network namespace name '" + netns + "'");
          }
        }
        default -> throw LaunchException.usage(where + ": expected '" + FORMAT + "', got '" + line + "'");
      }
    }
    if (host.isEmpty()) {
      throw LaunchException.usage(where + ": no host name in '" + line + "'");
    }
    resolve(host, where);
    return new Machine(host, port != null ? port : defaultPort, netns, port != null, slots != null ? slots : 0, where);
  }

  /** A positive integer, or an error naming {@code what}. */
  private static int number(String text, String where, String what) {
    try {
      int n = Integer.parseInt(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw LaunchException.usage(where + ": bad " + what + " '" + text + "' (expected a positive integer)");
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

package dev.lockstep.launch;

import java.util.List;

/**
 * How a shell script runs on a machine of the machines file: a namespace of this machine under
 * {@code ip netns exec NAME sh -c}, this machine under {@code sh -c}, any other host over
 * {@code ssh -o BatchMode=yes HOST} (password-less ssh, the same paths on every host — as MPJ itself assumes).
 */
final class HostShell {
  private HostShell() {}

  static List<String> command(Machine machine, String script) {
    if (machine.inNamespace()) {
      return List.of("ip", "netns", "exec", machine.netns(), "sh", "-c", script);
    }
    if (MachinesFile.isThisMachine(machine.host(), machine.where())) {
      return List.of("sh", "-c", script);
    }
    return List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", machine.host(), script);
  }

  /** {@code s} as one single-quoted shell word. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}

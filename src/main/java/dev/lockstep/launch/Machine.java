package dev.lockstep.launch;

/**
 * One host of a machines file: where its MPJ daemon listens ({@code host:port}), how many ranks it takes
 * ({@code slots}, 0 when the line gives none) and, for a host that is a network namespace of this machine, the
 * namespace's name (commands for it run under {@code ip netns exec NAME}). {@code where} names the file and line for
 * messages.
 */
public record Machine(String host, int port, String netns, boolean portGiven, int slots, String where) {
  /** Whether this machine's commands run under {@code ip netns exec}. */
  public boolean inNamespace() {
    return netns != null;
  }

  /** Whether the machines file gave this host's slots. */
  public boolean slotsGiven() {
    return slots > 0;
  }

  /** {@code host:port}, as messages name a daemon. */
  public String address() {
    return host + ":" + port;
  }
}

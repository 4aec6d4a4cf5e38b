package dev.lockstep.launch;

import java.util.LinkedHashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM in the launcher while a job runs: the first asks the ranks to stop at the next step boundary
 * (relayed as one SIGTERM per rank process, see {@link RankProcesses#stopGracefully}), the second kills them at once.
 * {@code sun.misc.Signal}, not a shutdown hook: a hook runs when the JVM is already on its way out and cannot wait
 * for the ranks to finish a step and snapshot, nor tell a second Ctrl-C from the first. A terminal's Ctrl-C also
 * reaches the rank processes themselves (same process group); they take it the same way, and the relayed SIGTERM
 * is then a no-op. The JVM's own handlers come back when the job ends.
 */
final class LauncherSignals implements AutoCloseable {
  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
  private final RankProcesses ranks;
  private final RankOutput output;
  private volatile int first;

  LauncherSignals(RankProcesses ranks, RankOutput output) {
    this.ranks = ranks;
    this.output = output;
    for (String name : new String[] {"INT", "TERM"}) {
      Signal signal = new Signal(name);
      try {
        previous.put(signal, Signal.handle(signal, this::handle));
      } catch (IllegalArgumentException e) {
        // reserved (-Xrs): the default stays, and the shutdown hook kills the ranks
      }
    }
  }

  private synchronized void handle(Signal signal) {
    if (first == 0) {
      first = signal.getNumber();
      ranks.stopGracefully(first);
    } else {
      output.message("lockstep: interrupted again: stopped the ranks at once, without a snapshot");
      ranks.destroyAll();
    }
  }

  /** The first signal received, or 0. */
  int signal() {
    return first;
  }

  @Override
  public void close() {
    previous.forEach(Signal::handle);
  }
}

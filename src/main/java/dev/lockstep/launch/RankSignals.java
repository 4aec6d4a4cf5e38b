package dev.lockstep.launch;

import dev.lockstep.train.StopRequest;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM in a rank JVM: ask the rank to stop at the next step boundary ({@link StopRequest}) instead of
 * ending the JVM mid-step. {@code sun.misc.Signal} rather than a shutdown hook: a hook runs only once the JVM is
 * already exiting, so the ranks could neither finish their step nor agree on where to stop, and a second Ctrl-C
 * could not be told from the first.
 *
 * <p>Under multicore the rank threads share one JVM but each has its own copy of this class (one class loader per
 * rank), and a JVM has one handler per signal: each rank's handler therefore passes the signal on to the one it
 * replaced, so every rank of the JVM hears it. Started by lockstep's launcher, a rank ignores further signals (the
 * launcher relays one SIGTERM of its own and handles a second Ctrl-C by killing the ranks); started by MPJ's own
 * starter, a second signal ends the JVM at once with 128 + the signal.
 */
final class RankSignals {
  private RankSignals() {}

  /** Routes SIGINT and SIGTERM of this JVM to {@code stop} (and to the other ranks' handlers of this JVM). */
  static void routeTo(StopRequest stop, boolean underLauncher) {
    for (String name : new String[] {"INT", "TERM"}) {
      Forward handler = new Forward(stop, underLauncher);
      try {
        handler.previous = Signal.handle(new Signal(name), handler);
      } catch (IllegalArgumentException e) {
        // the signal is reserved here (e.g. -Xrs): the JVM's default stays, which ends the rank at once
      }
    }
  }

  /**
   * One rank's handler. It passes the signal on only to another rank's handler (recognised by class name: each rank
   * has its own copy of this class), never to the JVM's own, which would exit.
   */
  private static final class Forward implements SignalHandler {
    private final StopRequest stop;
    private final boolean underLauncher;
    volatile SignalHandler previous;

    Forward(StopRequest stop, boolean underLauncher) {
      this.stop = stop;
      this.underLauncher = underLauncher;
    }

    @Override
    public void handle(Signal signal) {
      boolean first = stop.request(signal.getNumber());
      SignalHandler before = previous;
      if (before != null && before.getClass().getName().equals(Forward.class.getName())) {
        before.handle(signal); // another rank thread of this JVM
      } else if (!first && !underLauncher) {
        Runtime.getRuntime().halt(128 + signal.getNumber()); // a second Ctrl-C: at once
      }
    }
  }
}

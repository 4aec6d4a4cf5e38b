package dev.lockstep.comm.shm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A sense-reversing barrier for the rank threads of one JVM: spin briefly (the peers are usually microseconds
 * away), then yield, then park in short naps so that oversubscribed ranks (np > cores) leave the CPU to the
 * late one. Arrival is an atomic increment and departure a volatile read, so each thread's writes before
 * {@link #await} are visible to every thread after it.
 *
 * <p>A wait past its deadline throws and leaves the barrier broken (every later await throws at once): the job is
 * failing, and the communicator's watchdog ends it with the usual message.
 */
final class SpinBarrier {
  private static final int YIELDS = 100;
  private static final long NAP_NANOS = 20_000;

  private final int parties;
  private final int spins; // long while every rank has a core of its own, short when they must take turns
  private final AtomicInteger arrived = new AtomicInteger();
  private volatile int generation;
  private volatile boolean broken;

  SpinBarrier(int parties) {
    this.parties = parties;
    this.spins = parties <= Runtime.getRuntime().availableProcessors() ? 1_000 : 50;
  }

  /** Waits until all parties have arrived, or throws {@link ShmTimeoutException} at {@code deadlineNanos}. */
  void await(long deadlineNanos, String op) {
    if (broken) {
      throw new ShmTimeoutException(op + ": the shared-memory group is broken by an earlier timeout");
    }
    int gen = generation; // cannot advance before this thread arrives
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0); // before the generation write, so early next arrivals count from zero
      generation = gen + 1;
      return;
    }
    int waits = 0;
    while (generation == gen) {
      if (waits < spins) {
        Thread.onSpinWait();
      } else if (waits < spins + YIELDS) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(NAP_NANOS);
        if (System.nanoTime() - deadlineNanos > 0 && generation == gen) {
          broken = true;
          throw new ShmTimeoutException(op + ": " + (parties - arrived.get()) + " of " + parties
              + " ranks did not arrive before the deadline");
        }
      }
      waits++;
    }
  }
}

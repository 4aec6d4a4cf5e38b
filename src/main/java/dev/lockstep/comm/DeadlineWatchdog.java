package dev.lockstep.comm;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the job when a collective does not complete in time. One daemon thread per communicator sleeps until the armed
 * call's deadline; {@link #arm} is one small allocation and a volatile write, {@link #disarm} a volatile write, and
 * neither wakes the watchdog, so a collective (50 µs and up in MPJ) pays nothing measurable.
 * A call still waiting after the warn-after period (or half its deadline, when that comes sooner) gets a stall
 * warning, repeated every warn-after period until the deadline, so a slow peer is visible before the job is ended.
 *
 * <p>On expiry the JVM is halted: under multicore that is the only way to stop rank threads that are blocked inside
 * MPJ (and it stops them all, which is what a failed job needs); under niodev it ends this rank's process and the
 * launcher stops the others.
 */
final class DeadlineWatchdog implements AutoCloseable {
  static final double DEFAULT_WARN_AFTER_SECONDS = 30;

  /** What happens when a deadline passes; production prints and halts, tests record. */
  interface Expiry {
    /**
     * {@code seq}: the collective's number on this rank (1-based), 0 for calls that are not collectives;
     * {@code waitedSeconds}: the warning period passed (0.5, 1, 30, ...), not the watchdog's late wake-up time.
     */
    void stallWarning(String op, long seq, double waitedSeconds, double timeoutSeconds);

    void expired(String op, long seq, double timeoutSeconds);
  }

  /** One armed call; a new object per call so the watchdog always sees a consistent snapshot of it. */
  private record Armed(String op, long seq, long startNanos, long timeoutNanos, long warnAfterNanos) {
    /**
     * The warning due after the one given at {@code given} (-1: none yet): the first at warn-after or half the
     * deadline, whichever is sooner; then every warn-after.
     */
    long nextWarning(long given) {
      long first = Math.min(warnAfterNanos, timeoutNanos / 2);
      if (given < first) {
        return first;
      }
      return first + ((given - first) / warnAfterNanos + 1) * warnAfterNanos;
    }
  }

  private final Expiry expiry;
  private final Thread thread;
  private volatile Armed armed;
  private volatile long timeoutNanos;
  private volatile long warnAfterNanos;
  private volatile boolean closed;

  DeadlineWatchdog(String threadName, double timeoutSeconds, Expiry expiry) {
    this(threadName, timeoutSeconds, DEFAULT_WARN_AFTER_SECONDS, expiry);
  }

  DeadlineWatchdog(String threadName, double timeoutSeconds, double warnAfterSeconds, Expiry expiry) {
    this.expiry = expiry;
    this.timeoutNanos = toNanos(timeoutSeconds);
    this.warnAfterNanos = toNanos(warnAfterSeconds);
    this.thread = new Thread(this::watch, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  void setTimeoutSeconds(double seconds) {
    timeoutNanos = toNanos(seconds);
    LockSupport.unpark(thread); // it may be sleeping on a longer idle period
  }

  double timeoutSeconds() {
    return timeoutNanos / 1e9;
  }

  void setWarnAfterSeconds(double seconds) {
    warnAfterNanos = toNanos(seconds);
    LockSupport.unpark(thread);
  }

  double warnAfterSeconds() {
    return warnAfterNanos / 1e9;
  }

  /** Starts the clock for {@code op}; the caller must {@link #disarm} when the call returns. */
  void arm(String op) {
    arm(op, 0);
  }

  /** Starts the clock for collective number {@code seq} of this rank. */
  void arm(String op, long seq) {
    armed = new Armed(op, seq, System.nanoTime(), timeoutNanos, warnAfterNanos);
  }

  void disarm() {
    armed = null;
  }

  @Override
  public void close() {
    closed = true;
    armed = null;
    LockSupport.unpark(thread);
  }

  private void watch() {
    Armed warned = null; // the call whose last warning was due at warnedAt
    long warnedAt = -1;
    while (!closed) {
      Armed a = armed;
      if (a == null) {
        // Idle: a call armed from now on reaches its first warning no sooner than that many nanos from now, so
        // arm() never needs to wake this thread.
        LockSupport.parkNanos(this, Math.min(warnAfterNanos, timeoutNanos / 2));
        continue;
      }
      long waited = System.nanoTime() - a.startNanos();
      if (waited >= a.timeoutNanos()) {
        if (armed == a) { // not disarmed while we looked
          expiry.expired(a.op(), a.seq(), a.timeoutNanos() / 1e9);
          return;
        }
        continue;
      }
      if (warned != a) {
        warned = a;
        warnedAt = -1;
      }
      long due = a.nextWarning(warnedAt);
      if (waited >= due) {
        while (a.nextWarning(due) <= waited) {
          due = a.nextWarning(due); // overslept several: one warning for all of them
        }
        warnedAt = due;
        if (armed == a) {
          expiry.stallWarning(a.op(), a.seq(), due / 1e9, a.timeoutNanos() / 1e9); // the period it has passed
        }
        continue;
      }
      LockSupport.parkNanos(this, Math.min(due, a.timeoutNanos()) - waited);
    }
  }

  private static long toNanos(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("collective timeout must be a positive number of seconds, got " + seconds);
    }
    return Math.max(1, (long) (seconds * TimeUnit.SECONDS.toNanos(1)));
  }
}

package dev.lockstep.comm;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the job when a collective does not complete in time. One daemon thread per communicator sleeps until the armed
 * call's deadline; {@link #arm} is one small allocation and a volatile write, {@link #disarm} a volatile write, and
 * neither wakes the watchdog, so a collective (50 µs and up in MPJ) pays nothing measurable.
 * Half-way through it prints a stall warning once, so a slow peer is visible before the job is ended.
 *
 * <p>On expiry the JVM is halted: under multicore that is the only way to stop rank threads that are blocked inside
 * MPJ (and it stops them all, which is what a failed job needs); under niodev it ends this rank's process and the
 * launcher stops the others.
 */
final class DeadlineWatchdog implements AutoCloseable {
  /** What happens when a deadline passes; production prints and halts, tests record. */
  interface Expiry {
    void stallWarning(String op, double waitedSeconds, double timeoutSeconds);

    void expired(String op, double timeoutSeconds);
  }

  /** One armed call; a new object per call so the watchdog always sees a consistent op/start/timeout triple. */
  private record Armed(String op, long startNanos, long timeoutNanos) {}

  private final Expiry expiry;
  private final Thread thread;
  private volatile Armed armed;
  private volatile long timeoutNanos;
  private volatile boolean closed;

  DeadlineWatchdog(String threadName, double timeoutSeconds, Expiry expiry) {
    this.expiry = expiry;
    this.timeoutNanos = toNanos(timeoutSeconds);
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

  /** Starts the clock for {@code op}; the caller must {@link #disarm} when the call returns. */
  void arm(String op) {
    armed = new Armed(op, System.nanoTime(), timeoutNanos);
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
    Armed warned = null;
    while (!closed) {
      Armed a = armed;
      if (a == null) {
        // Idle: a call armed from now on reaches its half-way warning no sooner than half a timeout from now,
        // so arm() never needs to wake this thread.
        LockSupport.parkNanos(this, timeoutNanos / 2);
        continue;
      }
      long waited = System.nanoTime() - a.startNanos();
      if (waited >= a.timeoutNanos()) {
        if (armed == a) { // not disarmed while we looked
          expiry.expired(a.op(), a.timeoutNanos() / 1e9);
          return;
        }
        continue;
      }
      long halfway = a.timeoutNanos() / 2;
      if (waited >= halfway && warned != a) {
        warned = a;
        if (armed == a) {
          expiry.stallWarning(a.op(), waited / 1e9, a.timeoutNanos() / 1e9);
        }
      }
      long wake = waited < halfway ? halfway - waited : a.timeoutNanos() - waited;
      LockSupport.parkNanos(this, wake);
    }
  }

  private static long toNanos(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("collective timeout must be a positive number of seconds, got " + seconds);
    }
    return Math.max(1, (long) (seconds * TimeUnit.SECONDS.toNanos(1)));
  }
}

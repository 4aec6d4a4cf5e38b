package dev.lockstep.comm;

import java.util.ArrayDeque;

/**
 * One rank's background thread for collectives: runs submitted calls one at a time, in submission order, while the
 * rank's own thread goes on computing (gradient allreduce overlapped with backward).
 *
 * <p><b>Create it from the rank's own thread.</b> The thread joins its creator's thread group, and MPJ takes a
 * rank's identity from the thread group (mpj-notes.md); a thread from a shared pool would act as no rank or the
 * wrong one. The {@link Communicator} is not thread-safe: between {@link #submit} and {@link #awaitIdle} only this
 * thread may call it.
 *
 * <p>A call that throws stops the queue: later calls are dropped (the ranks no longer agree on what was issued, so
 * nothing further may be) and {@link #awaitIdle} rethrows on the rank thread. Deadlines are the communicator's:
 * a stalled peer ends the job from inside the call, as on the rank thread.
 */
public final class CommThread implements AutoCloseable {
  private final Thread thread;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>(); // guarded by this
  private int outstanding; // submitted and not yet finished; guarded by this
  private Throwable failure; // first failure of a call; guarded by this
  private boolean closed; // guarded by this
  private long busyNanos; // time spent inside calls; guarded by this

  /** Starts the thread, named {@code name}, in the calling thread's thread group (a daemon: it never holds a JVM). */
  public CommThread(String name) {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code call} to run after every call submitted before it (dropped after a failure: see above). */
  public synchronized void submit(Runnable call) {
    if (closed) {
      throw new IllegalStateException(thread.getName() + " is closed");
    }
    if (failure != null) {
      return; // awaitIdle reports the failure
    }
    queue.addLast(call);
    outstanding++;
    notifyAll();
  }

  /**
   * Blocks until every submitted call has finished. Rethrows the first failure of a call (a RuntimeException or
   * Error as it was; anything else wrapped), once; the thread accepts no more calls after a failure.
   */
  public void awaitIdle() {
    Throwable t;
    synchronized (this) {
      boolean interrupted = false;
      while (outstanding > 0 && failure == null) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true; // a collective in flight cannot be abandoned; finish waiting, keep the flag
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      t = failure;
      if (t != null) {
        closed = true;
        queue.clear();
      }
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(thread.getName() + ": " + t, t);
    }
  }

  /** Total seconds the thread has spent inside calls so far. */
  public synchronized double busySeconds() {
    return busyNanos / 1e9;
  }

  /** Stops the thread once the calls already submitted have run; does not wait for them. */
  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  private void loop() {
    while (true) {
      Runnable call;
      synchronized (this) {
        while (queue.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (queue.isEmpty()) {
          return; // closed and drained
        }
        call = queue.pollFirst();
      }
      long t0 = System.nanoTime();
      Throwable thrown = null;
      try {
        call.run();
      } catch (Throwable t) {
        thrown = t;
      }
      synchronized (this) {
        busyNanos += System.nanoTime() - t0;
        outstanding--;
        if (thrown != null && failure == null) {
          failure = thrown;
          queue.clear();
          outstanding = 0;
        }
        notifyAll();
      }
    }
  }
}

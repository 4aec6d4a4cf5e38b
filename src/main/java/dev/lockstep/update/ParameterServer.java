package dev.lockstep.update;

import static dev.lockstep.update.PsMessages.*;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.PointToPoint;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Rank 0's server: master weights and the optimizer, on a thread rank 0's own thread creates (so its MPJ calls act
 * as rank 0). One phase = one {@link #start} to the end of {@link #run}: it takes pushes in arrival order — other
 * ranks' over MPJ, rank 0's own through an in-JVM hand-off — applies each gradient unless it is more than
 * max_staleness versions old, and answers every push with the current weights. The phase ends when every rank has
 * either said it is done or been told to stop: then no message is in flight, and the thread ends.
 *
 * <p>The server has its own CPU backend (backends are not thread-safe, and rank 0 keeps computing on its own).
 */
final class ParameterServer implements Runnable {
  private static final long MIN_IDLE_WAIT_MICROS = 50, MAX_IDLE_WAIT_MICROS = 1000;
  private final Communicator comm;
  private final Backend backend;
  private final Optimizer optimizer;
  private final int n;
  private final int maxStaleness;
  private final Buf master; // [n]
  private final Buf grad; // [n]
  private final float[] in; // [n + PUSH_HEADER]
  private final float[] out; // [n + REPLY_HEADER]: replies sent over MPJ
  private final float[] localOut; // [n + REPLY_HEADER]: rank 0's reply (it reads it before it pushes again)
  private final SkewPolicy recovery; // null unless auto
  private final SkewWindow window;
  final long[] stalenessHistogram; // [max_staleness + 1]: applied gradients by staleness
  long dropped;
  long applied;

  // rank 0's own worker talks to the server through these (the server thread is rank 0's only MPJ user meanwhile)
  private final BlockingQueue<LocalPush> localPushes = new ArrayBlockingQueue<>(1);

  /**
   * Rank 0's push. {@code grads}/{@code params} non-null: rank 0's own host buffers (CPU backend), which the server
   * reads and writes in place while rank 0 waits for the reply — three gradient-sized copies fewer per step than
   * going through {@code msg}; the reply's weights are then already in {@code params} and only its header counts.
   */
  record LocalPush(float[] msg, Buf grads, Buf params) {}
  private final BlockingQueue<float[]> localReplies = new ArrayBlockingQueue<>(1);

  // per phase
  private Thread thread;
  private volatile Throwable failure;
  private volatile String recoveredReason;
  private long version;
  private boolean[] stopped;
  private StopReason stopping;
  private double[] sinceReply; // [ranks × 3]: loss, correct, rows taken since each rank's previous reply

  ParameterServer(Communicator comm, Backend serverBackend, Optimizer optimizer, int n, int maxStaleness,
                  SkewPolicy recovery) {
    this.comm = comm;
    this.backend = serverBackend;
    this.optimizer = optimizer;
    this.n = n;
    this.maxStaleness = maxStaleness;
    this.master = serverBackend.allocate(n);
    this.grad = serverBackend.allocate(n);
    this.in = new float[n + PUSH_HEADER];
    this.out = new float[n + REPLY_HEADER];
    this.localOut = new float[n + REPLY_HEADER];
    this.recovery = recovery;
    this.window = new SkewWindow(comm.size());
    this.stalenessHistogram = new long[maxStaleness + 1];
  }

  /** Starts a phase from {@code weights} (every rank holds them): version 0, every rank running. */
  void start(float[] weights) {
    backend.upload(weights, 0, master);
    version = 0;
    stopped = new boolean[comm.size()];
    stopping = StopReason.NONE;
    sinceReply = new double[comm.size() * 3];
    recoveredReason = null;
    window.reset();
    thread = new Thread(this, "lockstep-parameter-server");
    thread.setDaemon(true);
    thread.start();
  }

  /** Rank 0's own push; returns the reply (weights + header), waiting at most {@code timeoutSeconds}. */
  float[] exchangeLocal(float[] push, double timeoutSeconds) {
    return exchangeLocal(new LocalPush(push, null, null), timeoutSeconds);
  }

  /** Rank 0's own push (see {@link LocalPush}); returns the reply, waiting at most {@code timeoutSeconds}. */
  float[] exchangeLocal(LocalPush push, double timeoutSeconds) {
    try {
      if (!localPushes.offer(push, (long) (timeoutSeconds * 1e9), TimeUnit.NANOSECONDS)) {
        throw serverGone("did not take rank 0's gradient within " + timeoutSeconds + " s");
      }
      if (push.msg()[n + KIND] == KIND_DONE) {
        return null;
      }
      long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
      while (true) {
        float[] reply = localReplies.poll(100, TimeUnit.MILLISECONDS);
        if (reply != null) {
          return reply;
        }
        if (failure != null || System.nanoTime() > deadline) {
          throw serverGone("did not answer rank 0 within " + timeoutSeconds + " s");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the parameter server", e);
    }
  }

  /** Waits for the phase to end (every rank stopped), then copies the master weights into {@code weights}. */
  void finish(float[] weights) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the parameter server", e);
    }
    if (failure != null) {
      throw serverGone("stopped");
    }
    backend.download(master, weights, 0);
  }

  String recoveredReason() {
    return recoveredReason;
  }

  @Override
  public void run() {
    try (PointToPoint p2p = comm.pointToPoint()) {
      int running = comm.size();
      long idleWaitMicros = MIN_IDLE_WAIT_MICROS;
      while (running > 0) {
        LocalPush local = localPushes.poll();
        if (local != null) {
          running -= handle(0, local.msg(), null, local);
          idleWaitMicros = MIN_IDLE_WAIT_MICROS;
          continue;
        }
        int from = p2p.probe(PointToPoint.ANY_SOURCE, TAG_PUSH);
        if (from >= 0) {
          p2p.recv(in, in.length, from, TAG_PUSH);
          running -= handle(from, in, p2p, null);
          idleWaitMicros = MIN_IDLE_WAIT_MICROS;
          continue;
        }
        // Idle: wait on rank 0's hand-off, backing off so that polling MPJ does not take rank 0's core.
        local = localPushes.poll(idleWaitMicros, TimeUnit.MICROSECONDS);
        idleWaitMicros = Math.min(2 * idleWaitMicros, MAX_IDLE_WAIT_MICROS);
        if (local != null) {
          running -= handle(0, local.msg(), null, local);
          idleWaitMicros = MIN_IDLE_WAIT_MICROS;
        }
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** Takes one push ({@code local}: rank 0's, else null); returns 1 when its rank stops with it. */
  private int handle(int rank, float[] msg, PointToPoint p2p, LocalPush local) {
    boolean direct = local != null && local.grads() != null;
    if (msg[n + KIND] == KIND_DONE) {
      stopped[rank] = true;
      if (stopping == StopReason.NONE) {
        stopping = StopReason.DATA_DONE; // the first rank out of data ends the epoch for everyone
      }
      return 1;
    }
    for (int r = 0; r < comm.size(); r++) { // training figures count every batch trained on, dropped or not
      sinceReply[3 * r] += msg[n + LOSS];
      sinceReply[3 * r + 1] += msg[n + CORRECT];
      sinceReply[3 * r + 2] += msg[n + ROWS];
    }
    long staleness = version - (long) msg[n + VERSION];
    if (staleness > maxStaleness) {
      dropped++; // the SSP bound: too old to help; the rank still gets fresh weights below
    } else {
      Buf g = grad;
      if (direct) {
        g = local.grads();
      } else {
        backend.upload(msg, 0, grad);
      }
      optimizer.step(backend, master, g, msg[n + LR]);
      version++;
      applied++;
      stalenessHistogram[(int) staleness]++;
    }
    if (recovery != null && stopping == StopReason.NONE) {
      window.add(rank, msg[n + COMPUTE], 1);
      String reason = recovery.recovered(window);
      if (reason != null) {
        recoveredReason = reason;
        stopping = StopReason.RECOVERED;
      }
    }
    float[] reply = rank == 0 ? localOut : out;
    if (direct) {
      backend.copy(master, local.params());
    } else {
      backend.download(master, reply, 0);
    }
    reply[n + R_VERSION] = version;
    reply[n + R_STOP] = stopping.ordinal();
    reply[n + R_LOSS] = (float) sinceReply[3 * rank];
    reply[n + R_CORRECT] = (float) sinceReply[3 * rank + 1];
    reply[n + R_ROWS] = (float) sinceReply[3 * rank + 2];
    sinceReply[3 * rank] = sinceReply[3 * rank + 1] = sinceReply[3 * rank + 2] = 0;
    if (rank == 0) {
      localReplies.add(reply);
    } else {
      p2p.send(reply, reply.length, rank, TAG_REPLY);
    }
    if (stopping != StopReason.NONE) {
      stopped[rank] = true;
      return 1;
    }
    return 0;
  }

  private IllegalStateException serverGone(String what) {
    Throwable f = failure;
    return new IllegalStateException("rank 0: the parameter server " + what
        + (f != null ? ": " + f : ""), f);
  }
}

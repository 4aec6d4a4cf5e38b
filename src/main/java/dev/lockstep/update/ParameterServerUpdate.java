package dev.lockstep.update;

import static dev.lockstep.update.PsMessages.*;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.PointToPoint;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.CpuBackend;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asynchronous updates through a parameter server on rank 0 ({@link ParameterServer}): each step a rank pushes its
 * gradient (with the version of the weights it was computed on) and pulls the current weights, never waiting for
 * another rank. Each gradient keeps the loss's 1/(ranks × batch) scale, so N pushes move the weights as far as one
 * sync step at the same optimizer.lr; the server's optimizer applies them.
 *
 * <p>A phase starts with a rank's first step after an epoch end and lasts until a rank runs out of data (or auto
 * calls for sync); {@link #synchronize} then gives every rank the master weights (broadcast from rank 0), so
 * evaluation and everything after the epoch see rank 0's master copy on every rank.
 */
public final class ParameterServerUpdate implements AsyncUpdate {
  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final int n;
  private final ParameterServer server; // rank 0 only
  private final float[] push; // [n + PUSH_HEADER]
  private final float[] reply; // [n + REPLY_HEADER], ranks other than 0
  private final float[] weights; // [n]
  private final double timeoutSeconds;
  // rank 0 on the CPU backend: the server works on this rank's own buffers (ParameterServer.LocalPush)
  private final ParameterServer.LocalPush direct;
  private PointToPoint p2p; // ranks other than 0, opened on first use
  private boolean running;
  private long version;
  private StopReason stopped = StopReason.NONE;

  /**
   * @param serverOptimizer rank 0: the server's optimizer, over {@code serverBackend}; ignored elsewhere
   * @param recovery auto's switch-back rule, checked by the server; null for plain async
   */
  public ParameterServerUpdate(Communicator comm, Backend backend, Parameters params, Backend serverBackend,
                               Optimizer serverOptimizer, int maxStaleness, SkewPolicy recovery,
                               double timeoutSeconds) {
    this.comm = comm;
    this.backend = backend;
    this.params = params;
    this.n = params.length();
    this.server = comm.rank() == 0
        ? new ParameterServer(comm, serverBackend, serverOptimizer, n, maxStaleness, recovery) : null;
    this.push = new float[n + PUSH_HEADER];
    this.reply = comm.rank() == 0 ? null : new float[n + REPLY_HEADER];
    this.weights = new float[n];
    this.timeoutSeconds = timeoutSeconds;
    this.direct = server != null && backend instanceof CpuBackend && serverBackend instanceof CpuBackend
        ? new ParameterServer.LocalPush(push, params.grads(), params.params()) : null;
  }

  @Override
  public void initialize() {
    WeightBroadcast.fromRank0(comm, backend, params);
  }

  @Override
  public StepStats apply(StepReport local, float lr) {
    long t0 = System.nanoTime();
    if (!running) {
      startPhase();
    }
    // The loss's 1/(ranks × batch) scale stays: N pushes move the weights as far as one sync step, so
    // optimizer.lr means the same in both modes and stale gradients weigh 1/N of a batch mean.
    if (direct == null) {
      backend.download(params.grads(), push, 0);
    }
    push[n + VERSION] = version;
    push[n + LR] = lr;
    push[n + COMPUTE] = (float) local.computeSeconds();
    push[n + LOSS] = (float) local.lossSum();
    push[n + CORRECT] = local.correct();
    push[n + ROWS] = local.rows();
    push[n + KIND] = KIND_GRADIENT;
    float[] r = exchange(push);
    if (direct == null) {
      backend.upload(r, 0, params.params());
    }
    version = (long) r[n + R_VERSION];
    stopped = StopReason.of(r[n + R_STOP]);
    if (stopped != StopReason.NONE) {
      running = false;
    }
    double[] compute = new double[comm.size()];
    compute[comm.rank()] = local.computeSeconds();
    // Figures of every gradient the server took since this rank's last reply: summed on rank 0, they count all.
    return new StepStats(r[n + R_LOSS], Math.round(r[n + R_CORRECT]), Math.round(r[n + R_ROWS]), compute,
        (System.nanoTime() - t0) / 1e9, 0);
  }

  @Override
  public boolean endsEpoch() {
    return stopped != StopReason.NONE;
  }

  @Override
  public StopReason stopReason() {
    return stopped;
  }

  /** The server's reason for calling for sync: known on rank 0 only. */
  @Override
  public String recoveredReason() {
    return server == null ? null : server.recoveredReason();
  }

  @Override
  public long synchronize(long localStep) {
    if (running) { // this rank ran out of data first: tell the server, which stops everyone at their next push
      push[n + KIND] = KIND_DONE;
      if (server != null) {
        server.exchangeLocal(push, timeoutSeconds());
      } else {
        p2p().send(push, push.length, 0, TAG_PUSH);
      }
      running = false;
    }
    if (server != null && serverStarted) {
      server.finish(weights); // every rank has stopped: no message is in flight
      backend.upload(weights, 0, params.params());
      serverStarted = false;
    }
    WeightBroadcast.fromRank0(comm, backend, params);
    stopped = StopReason.NONE;
    return furthestStep(comm, localStep);
  }

  @Override
  public boolean replicasInSync() {
    return false;
  }

  @Override
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("algorithm", "parameter_server");
    if (server != null) {
      Map<String, Long> histogram = new LinkedHashMap<>();
      for (int s = 0; s < server.stalenessHistogram.length; s++) {
        histogram.put(String.valueOf(s), server.stalenessHistogram[s]);
      }
      m.put("gradients_applied", server.applied);
      m.put("gradients_dropped_stale", server.dropped);
      m.put("staleness_histogram", histogram);
    }
    return m;
  }

  @Override
  public void close() {
    if (p2p != null) {
      p2p.close();
    }
  }

  private boolean serverStarted;

  private void startPhase() {
    version = 0;
    stopped = StopReason.NONE;
    if (server != null) {
      backend.download(params.params(), weights, 0);
      server.start(weights); // every rank holds these weights: synchronize() broadcast them
      serverStarted = true;
    }
    running = true;
  }

  private float[] exchange(float[] msg) {
    if (direct != null) {
      return server.exchangeLocal(direct, timeoutSeconds());
    }
    if (server != null) {
      return server.exchangeLocal(msg, timeoutSeconds());
    }
    p2p().send(msg, msg.length, 0, TAG_PUSH);
    p2p().recv(reply, reply.length, 0, TAG_REPLY);
    return reply;
  }

  private PointToPoint p2p() {
    if (p2p == null) {
      p2p = comm.pointToPoint();
    }
    return p2p;
  }

  /** How long rank 0 waits for its own server (comm.timeout_s, like any MPJ call). */
  private double timeoutSeconds() {
    return timeoutSeconds;
  }

  /** Collective: the largest local step count of any rank. */
  static long furthestStep(Communicator comm, long localStep) {
    double[] all = comm.allgather(localStep);
    long max = 0;
    for (double s : all) {
      max = Math.max(max, (long) s);
    }
    return max;
  }
}

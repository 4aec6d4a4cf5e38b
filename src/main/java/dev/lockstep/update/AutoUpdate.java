package dev.lockstep.update;

import dev.lockstep.checkpointing.GradientListener;
import dev.lockstep.comm.Communicator;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * update.mode auto: synchronous while the ranks keep pace, asynchronous while one straggles. In sync every step's
 * allreduce already carries each rank's compute time; after window_steps steps every rank computes the same skew
 * (slowest/median) from the same reduced figures, so all switch at the same step when it reaches straggler_ratio.
 * The switch broadcasts rank 0's weights (already identical in sync) and hands over to the async algorithm, which
 * keeps measuring the skew (the server sees every push; local SGD's averaging round carries the times) and ends
 * its phase when a window stays under recover_ratio. That ends the epoch on every rank — the ranks stand at
 * different places in their shards — and the next epoch starts in sync with identical weights.
 */
public final class AutoUpdate implements UpdateStrategy {
  /**
   * Steps before the first window: the run's first step carries one-time costs (allocations, first GEMM set-up) that
   * say nothing about a rank's pace; JIT compilation in the next few is absorbed by the window's per-rank medians.
   */
  static final int WARMUP_STEPS = 1;
  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final SyncUpdate sync;
  private final AsyncUpdate async;
  private final String asyncName;
  private final SkewPolicy policy;
  private final SkewWindow window;
  private final ModeSwitchListener listener;
  private final List<Map<String, Object>> switches = new ArrayList<>();
  private boolean asyncMode;
  private long step; // the run's step, as the trainer counts it

  public AutoUpdate(Communicator comm, Backend backend, Parameters params, SyncUpdate sync, AsyncUpdate async,
                    String asyncName, SkewPolicy policy, ModeSwitchListener listener) {
    this.comm = comm;
    this.backend = backend;
    this.params = params;
    this.sync = sync;
    this.async = async;
    this.asyncName = asyncName;
    this.policy = policy;
    this.window = new SkewWindow(comm.size());
    this.listener = listener;
  }

  @Override
  public void initialize() {
    sync.initialize();
  }

  @Override
  public StepStats apply(StepReport local, float lr) {
    step++;
    if (asyncMode) {
      return async.apply(local, lr);
    }
    StepStats stats = sync.apply(local, lr);
    if (step <= WARMUP_STEPS) {
      return stats;
    }
    double[] compute = stats.computeSecondsPerRank();
    for (int r = 0; r < compute.length; r++) {
      window.add(r, compute[r], 1);
    }
    String reason = policy.straggler(window);
    if (reason != null) {
      WeightBroadcast.fromRank0(comm, backend, params); // identical already; the switch guarantees it
      asyncMode = true;
      record(step, "sync", asyncName, reason);
    }
    return stats;
  }

  /**
   * The sync phase keeps sync's overlap (bucket allreduces start during backward); in async the gradients stay
   * local until the async algorithm takes them. Modes change only between steps, so no bucket is half reported.
   */
  @Override
  public GradientListener gradientListener() {
    GradientListener overlap = sync.gradientListener();
    return overlap == null ? null : range -> {
      if (!asyncMode) {
        overlap.gradientReady(range);
      }
    };
  }

  @Override
  public boolean localGradientMean() {
    return asyncMode && async.localGradientMean();
  }

  @Override
  public boolean endsEpoch() {
    return asyncMode && async.endsEpoch();
  }

  @Override
  public long synchronize(long localStep) {
    if (!asyncMode) {
      return localStep;
    }
    boolean recoveredHere = async.stopReason() == StopReason.RECOVERED;
    String reason = recoveredHere ? async.recoveredReason() : null;
    step = async.synchronize(localStep);
    // A rank that ran out of data first never saw the server's verdict: decide together.
    boolean recovered = false;
    for (double flag : comm.allgather(recoveredHere ? 1 : 0)) {
      recovered |= flag > 0;
    }
    if (recovered) {
      asyncMode = false;
      window.reset();
      record(step, asyncName, "sync", reason != null ? reason : "the skew fell under recover_ratio");
    }
    return step;
  }

  @Override
  public boolean replicasInSync() {
    return !asyncMode;
  }

  @Override
  public long identicalStep(long localStep) {
    return asyncMode ? async.identicalStep(localStep) : localStep;
  }

  /** The mode now: "sync" or the async algorithm's name. */
  public String mode() {
    return asyncMode ? asyncName : "sync";
  }

  @Override
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", "auto");
    m.put("switches", switches);
    m.put("async", async.summary());
    return m;
  }

  @Override
  public void close() {
    async.close();
  }

  private void record(long atStep, String from, String to, String reason) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("step", atStep);
    s.put("from", from);
    s.put("to", to);
    s.put("reason", reason);
    switches.add(s);
    listener.switched(atStep, from, to, reason);
  }
}

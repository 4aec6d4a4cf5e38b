package dev.lockstep.update;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.PointToPoint;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Local SGD: every rank steps its own replica on its own batch's mean gradient ({@link #localGradientMean}: the
 * trainer scales the loss by 1/batch, not 1/(ranks × batch) as for an allreduce), with its own optimizer state,
 * and the ranks average their weights at the end of each round, each weighted by the samples it trained on in the
 * round. So with period 1 and equal batches the averaged weights follow sync SGD (momentum included: the average of
 * the ranks' momentum updates is the sync update) and optimizer.lr means the same in both modes.
 *
 * <p>Rounds are timed in training time: each step from the start of its compute to the end of its optimizer step, so
 * an evaluation or an epoch end between two steps does not count (it would end the round early and inflate the pace).
 * A round ends after {@code periodMs} milliseconds of it when that is set; otherwise when the <b>fastest</b> rank has
 * taken {@code period} steps. The budget is period × the fastest rank's wall time per step in the previous round; a
 * rank ends its round after period steps, or earlier when another step would overrun the budget by more than half a
 * step (the others would wait for it). The first two rounds, with no pace known yet, are one step on every rank (the very
 * first step is cold and sets no pace); the pace carries over epoch ends and mode switches, and a round cut short by
 * a rank out of data does not set it. Without a straggler every rank takes period steps (period 1 is
 * sync SGD); with one, the fast ranks do not wait for the slow rank's period steps, and the slow rank contributes
 * the steps it managed (at least one). The round's allreduce also carries each rank's samples, compute and wall
 * time, steps, and whether it ran out of data, so auto's skew, the pace and the end of an epoch cost no extra
 * collective; every rank derives the same decisions from the same reduced figures.
 */
public final class LocalSgdUpdate implements AsyncUpdate {
  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final Optimizer optimizer;
  private final int n;
  private final int period;
  private final int periodMs;
  private final SkewPolicy recovery; // null unless auto
  private final SkewWindow window;
  // [n weighted weights | rows per rank | compute s per rank | steps per rank | wall s per rank | done]
  private final float[] round;
  private boolean running;
  private long busyNanos; // this round's training time: its steps from compute start to optimizer end
  private int stepsInRound;
  private int rowsInRound;
  private double computeInRound;
  private long roundNanos; // round length from the fastest rank's pace in the last round; 0 = not measured yet
  private StopReason stopped = StopReason.NONE;
  private String recoveredReason;
  private long rounds;
  private final long[] stepsByRank; // local steps of every rank over all rounds (from the reduced figures)
  private final long[] phaseStepsByRank; // the same since the phase started (for the agreed step count)
  private long ownStepsInPhase;
  private boolean averagedNow; // the last apply ended with an averaging round: identical weights
  private static final int TAG_OUT_OF_DATA = 7301;
  private static final int TAG_ROUND_OVER = 7302;
  private final float[] noticeOut = {1f};
  private final float[] notice = new float[1];
  private PointToPoint p2p; // opened on first use, on the rank's thread

  public LocalSgdUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer, int period,
                        int periodMs, SkewPolicy recovery) {
    this.comm = comm;
    this.backend = backend;
    this.params = params;
    this.optimizer = optimizer;
    this.n = params.length();
    this.period = period;
    this.periodMs = periodMs;
    this.recovery = recovery;
    this.window = new SkewWindow(comm.size());
    this.round = new float[n + 4 * comm.size() + 1];
    this.stepsByRank = new long[comm.size()];
    this.phaseStepsByRank = new long[comm.size()];
  }

  @Override
  public void initialize() {
    WeightBroadcast.fromRank0(comm, backend, params);
  }

  @Override
  public StepStats apply(StepReport local, float lr) {
    if (!running) {
      running = true;
      stopped = StopReason.NONE;
      ownStepsInPhase = 0;
      java.util.Arrays.fill(phaseStepsByRank, 0);
      startRound();
    }
    averagedNow = false;
    ownStepsInPhase++;
    long stepStarted = System.nanoTime() - (long) (local.computeSeconds() * 1e9);
    optimizer.step(backend, params.params(), params.grads(), lr);
    busyNanos += System.nanoTime() - stepStarted;
    stepsInRound++;
    rowsInRound += local.rows();
    computeInRound += local.computeSeconds();
    double[] compute = new double[comm.size()];
    compute[comm.rank()] = local.computeSeconds();
    long elapsed = busyNanos;
    boolean due = periodMs > 0 ? elapsed >= periodMs * 1_000_000L
        : stepsInRound >= period || roundNanos > 0 && elapsed + elapsed / (2 * stepsInRound) >= roundNanos;
    if (!due && comm.size() > 1) { // a rank out of data, or one that took its period steps, ends everyone's round
      due = p2p().probe(PointToPoint.ANY_SOURCE, TAG_OUT_OF_DATA) >= 0
          || p2p().probe(PointToPoint.ANY_SOURCE, TAG_ROUND_OVER) >= 0;
    }
    if (!due) {
      return new StepStats(local.lossSum(), local.correct(), local.rows(), compute, 0, 0);
    }
    long t0 = System.nanoTime();
    int ownRows = rowsInRound;
    long allRows = average(false);
    averagedNow = true;
    // The round's samples of the other ranks are counted here, so summed step figures cover every rank.
    return new StepStats(local.lossSum(), local.correct(), local.rows() + (allRows - ownRows), compute,
        (System.nanoTime() - t0) / 1e9, 0);
  }

  @Override
  public boolean localGradientMean() {
    return true;
  }

  @Override
  public boolean endsEpoch() {
    return stopped != StopReason.NONE;
  }

  @Override
  public StopReason stopReason() {
    return stopped;
  }

  @Override
  public String recoveredReason() {
    return recoveredReason;
  }

  @Override
  public long synchronize(long localStep) {
    if (running) { // this rank ran out of data: the last round says so, and everyone ends the epoch with it
      // The others end their round at their next step instead of at its end (they read the notice after the round).
      List<PointToPoint.Pending> notices = new ArrayList<>();
      for (int r = 0; r < comm.size(); r++) {
        if (r != comm.rank()) {
          notices.add(p2p().sendAsync(noticeOut, 1, r, TAG_OUT_OF_DATA));
        }
      }
      average(true);
      notices.forEach(PointToPoint.Pending::await);
    }
    if (stopped == StopReason.RECOVERED) { // back to sync: the replicas' optimizer states must agree too
      averageOptimizerState();
    }
    stopped = StopReason.NONE;
    return ParameterServerUpdate.furthestStep(comm, localStep);
  }

  @Override
  public boolean replicasInSync() {
    return false;
  }

  /**
   * After a round: the phase's first step (the same on every rank) + the furthest rank's steps in the phase. Not
   * after a round that ended the phase: a rank out of data took part in it from {@link #synchronize}, not from a
   * step, and every rank's epoch ends next anyway.
   */
  @Override
  public long identicalStep(long localStep) {
    if (!averagedNow || stopped != StopReason.NONE) {
      return -1;
    }
    long furthest = 0;
    for (long s : phaseStepsByRank) {
      furthest = Math.max(furthest, s);
    }
    return localStep - ownStepsInPhase + furthest;
  }

  @Override
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("algorithm", "local_sgd");
    m.put("averaging_rounds", rounds);
    m.put("local_steps_by_rank", stepsByRank.clone());
    return m;
  }

  /**
   * Collective, when auto switches back to sync: each rank's optimizer state (momentum, Adam moments) followed its
   * own steps; their mean (and the largest step count, for Adam's bias correction) makes the replicas whole again,
   * so sync steps start from the same state on every rank. (Within async, each replica keeps its own state.)
   */
  private void averageOptimizerState() {
    float inv = 1f / comm.size();
    for (Buf state : optimizer.stateBuffers()) {
      float[] host = new float[Math.toIntExact(state.length())];
      backend.download(state, host, 0);
      comm.allreduceSum(host, 0, host.length);
      for (int i = 0; i < host.length; i++) {
        host[i] *= inv;
      }
      backend.upload(host, 0, state);
    }
    long steps = 0;
    for (double s : comm.allgather(optimizer.stepCount())) {
      steps = Math.max(steps, (long) s);
    }
    optimizer.setStepCount(steps);
  }

  private PointToPoint p2p() {
    if (p2p == null) {
      p2p = comm.pointToPoint();
    }
    return p2p;
  }

  @Override
  public void close() {
    if (p2p != null) {
      p2p.close();
    }
  }

  private void startRound() {
    busyNanos = 0;
    stepsInRound = 0;
    rowsInRound = 0;
    computeInRound = 0;
  }

  private boolean sendsRoundOver(long steps) {
    return periodMs == 0 && steps >= period && comm.size() > 1;
  }

  /** Collective: the samples-weighted average of the replicas; returns the samples of the round over all ranks. */
  private long average(boolean done) {
    int ranks = comm.size(), me = comm.rank();
    double wall = busyNanos / 1e9;
    java.util.Arrays.fill(round, n, round.length, 0f);
    backend.download(params.params(), round, 0);
    float w = rowsInRound;
    for (int i = 0; i < n; i++) {
      round[i] *= w;
    }
    round[n + me] = rowsInRound;
    round[n + ranks + me] = (float) computeInRound;
    round[n + 2 * ranks + me] = stepsInRound;
    round[n + 3 * ranks + me] = (float) wall;
    round[n + 4 * ranks] = done ? 1 : 0;
    // A rank that took its period steps tells the others, so a slow rank ends its round after the step it is in
    // rather than by a budget from an earlier pace (wrong early on: JIT). Whether rank r sent one is in the reduced
    // figures (its steps), so every rank knows how many to receive.
    List<PointToPoint.Pending> roundOver = new ArrayList<>();
    if (sendsRoundOver(stepsInRound)) {
      for (int r = 0; r < ranks; r++) {
        if (r != me) {
          roundOver.add(p2p().sendAsync(noticeOut, 1, r, TAG_ROUND_OVER));
        }
      }
    }
    comm.allreduceSum(round, 0, round.length);
    long totalRows = 0;
    double fastestPace = Double.POSITIVE_INFINITY; // training seconds per step of the fastest rank
    for (int r = 0; r < ranks; r++) {
      totalRows += (long) round[n + r];
      long steps = (long) round[n + 2 * ranks + r];
      if (r != me && sendsRoundOver(steps)) {
        p2p().recv(notice, 1, r, TAG_ROUND_OVER);
      }
      stepsByRank[r] += steps;
      phaseStepsByRank[r] += steps;
      window.add(r, round[n + ranks + r], steps);
      if (steps > 0) {
        fastestPace = Math.min(fastestPace, round[n + 3 * ranks + r] / steps);
      }
    }
    if (fastestPace < Double.POSITIVE_INFINITY) {
      roundNanos = Math.max(1, (long) (period * fastestPace * 1e9));
    }
    int outOfData = Math.round(round[n + 4 * ranks]);
    if (totalRows > 0) { // identical reduced figures and the same arithmetic: identical weights on every rank
      float inv = 1f / totalRows;
      for (int i = 0; i < n; i++) {
        round[i] *= inv;
      }
      backend.upload(round, 0, params.params());
      rounds++; // a last round with no new steps (the epoch's end right after a round) is no averaging
    }
    for (int k = outOfData - (done ? 1 : 0); k > 0; k--) { // every rank out of data sent this rank a notice
      p2p().recv(notice, 1, PointToPoint.ANY_SOURCE, TAG_OUT_OF_DATA);
    }
    roundOver.forEach(PointToPoint.Pending::await); // received by now: every rank receives right after the allreduce
    if (outOfData > 0) {
      stopped = StopReason.DATA_DONE;
    } else if (recovery != null) {
      String reason = recovery.recovered(window);
      if (reason != null) {
        recoveredReason = reason;
        stopped = StopReason.RECOVERED;
      }
    }
    if (stopped != StopReason.NONE) {
      running = false;
    }
    startRound();
    return totalRows;
  }
}

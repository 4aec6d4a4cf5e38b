package dev.lockstep.update;

import dev.lockstep.comm.Communicator;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Local SGD: every rank steps its own replica with its own gradient (still scaled 1/(ranks × batch), so optimizer.lr
 * keeps its sync meaning: averaging N replicas that each took such a step moves as far as one sync step) and its
 * own optimizer state; every {@code period} local steps — or every {@code periodMs} milliseconds, which lets a
 * fast rank take more steps than a slow one — the ranks average their weights, each weighted by the samples it
 * trained on in the round. The round's allreduce also carries each rank's samples, compute time and steps, and
 * whether it ran out of data, so auto's skew and the end of an epoch cost no extra collective; every rank derives
 * the same decisions from the same reduced figures.
 */
public final class LocalSgdUpdate implements UpdateStrategy {
  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final Optimizer optimizer;
  private final int n;
  private final int period;
  private final int periodMs;
  private final SkewPolicy recovery; // null unless auto
  private final SkewWindow window;
  private final float[] round; // [n weighted weights | rows per rank | compute s per rank | steps per rank | done]
  private boolean running;
  private long roundStart;
  private int stepsInRound;
  private int rowsInRound;
  private double computeInRound;
  private StopReason stopped = StopReason.NONE;
  private String recoveredReason;
  private long rounds;

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
    this.round = new float[n + 3 * comm.size() + 1];
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
      startRound();
    }
    optimizer.step(backend, params.params(), params.grads(), lr);
    stepsInRound++;
    rowsInRound += local.rows();
    computeInRound += local.computeSeconds();
    double[] compute = new double[comm.size()];
    compute[comm.rank()] = local.computeSeconds();
    boolean due = periodMs > 0 ? (System.nanoTime() - roundStart) / 1e6 >= periodMs : stepsInRound >= period;
    if (!due) {
      return new StepStats(local.lossSum(), local.correct(), local.rows(), compute, 0, 0);
    }
    long t0 = System.nanoTime();
    int ownRows = rowsInRound;
    long allRows = average(false);
    // The round's samples of the other ranks are counted here, so summed step figures cover every rank.
    return new StepStats(local.lossSum(), local.correct(), local.rows() + (allRows - ownRows), compute,
        (System.nanoTime() - t0) / 1e9, 0);
  }

  @Override
  public boolean endsEpoch() {
    return stopped != StopReason.NONE;
  }

  StopReason stopReason() {
    return stopped;
  }

  String recoveredReason() {
    return recoveredReason;
  }

  @Override
  public long synchronize(long localStep) {
    if (running) { // this rank ran out of data: the last round says so, and everyone ends the epoch with it
      average(true);
    }
    stopped = StopReason.NONE;
    return ParameterServerUpdate.furthestStep(comm, localStep);
  }

  @Override
  public boolean replicasInSync() {
    return false;
  }

  @Override
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("algorithm", "local_sgd");
    m.put("averaging_rounds", rounds);
    return m;
  }

  private void startRound() {
    roundStart = System.nanoTime();
    stepsInRound = 0;
    rowsInRound = 0;
    computeInRound = 0;
  }

  /** Collective: the samples-weighted average of the replicas; returns the samples of the round over all ranks. */
  private long average(boolean done) {
    int ranks = comm.size(), me = comm.rank();
    java.util.Arrays.fill(round, n, round.length, 0f);
    backend.download(params.params(), round, 0);
    float w = rowsInRound;
    for (int i = 0; i < n; i++) {
      round[i] *= w;
    }
    round[n + me] = rowsInRound;
    round[n + ranks + me] = (float) computeInRound;
    round[n + 2 * ranks + me] = stepsInRound;
    round[n + 3 * ranks] = done ? 1 : 0;
    comm.allreduceSum(round, 0, round.length);
    long totalRows = 0;
    for (int r = 0; r < ranks; r++) {
      totalRows += (long) round[n + r];
      window.add(r, round[n + ranks + r], (long) round[n + 2 * ranks + r]);
    }
    if (totalRows > 0) { // identical reduced figures and the same arithmetic: identical weights on every rank
      float inv = 1f / totalRows;
      for (int i = 0; i < n; i++) {
        round[i] *= inv;
      }
      backend.upload(round, 0, params.params());
    }
    rounds++;
    if (round[n + 3 * ranks] > 0) {
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

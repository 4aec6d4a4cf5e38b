package dev.lockstep.update;

import dev.lockstep.comm.Communicator;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;

/**
 * Synchronous data parallelism: SUM-allreduce of the flat gradient buffer, then the identical optimizer step on
 * every rank. The loss uses gradScale = 1/global batch, so the summed gradient is the global-batch mean.
 *
 * <p>The step's small figures ride in the same allreduce as the gradients, after them — [grads | loss sum,
 * correct, rows | compute seconds of rank 0..N-1] — so logging and straggler accounting cost no extra
 * collective. Each rank writes its compute time in its own slot; after the SUM every rank knows them all, and
 * its wait is (slowest compute − own compute).
 *
 * <p>A NaN/Inf in the averaged gradient or the summed loss leaves weights and optimizer untouched and says where
 * ({@link StepStats#nonFiniteAt}). The check runs after the allreduce, on data every rank holds bit for bit, so
 * every rank takes the same decision without another collective.
 */
public final class SyncUpdate implements UpdateStrategy {
  private static final int LOSS = 0, CORRECT = 1, ROWS = 2, COMPUTE = 3;

  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final Optimizer optimizer;
  private final int gradLength;
  private final float[] staging; // [gradLength + 3 + ranks]

  public SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer) {
    this.comm = comm;
    this.backend = backend;
    this.params = params;
    this.optimizer = optimizer;
    this.gradLength = Math.toIntExact(params.length());
    this.staging = new float[gradLength + COMPUTE + comm.size()];
  }

  @Override
  public void initialize() {
    ReplicaCheck.requireSameParameterCount(comm, gradLength);
    float[] weights = new float[gradLength];
    backend.download(params.params(), weights, 0);
    comm.broadcast(weights, 0, weights.length, 0);
    backend.upload(weights, 0, params.params());
  }

  @Override
  public StepStats apply(StepReport local, float lr) {
    long t0 = System.nanoTime();
    backend.download(params.grads(), staging, 0);
    java.util.Arrays.fill(staging, gradLength, staging.length, 0f);
    staging[gradLength + LOSS] = (float) local.lossSum();
    staging[gradLength + CORRECT] = local.correct();
    staging[gradLength + ROWS] = local.rows();
    staging[gradLength + COMPUTE + comm.rank()] = (float) local.computeSeconds();
    comm.allreduceSum(staging, 0, staging.length);
    backend.upload(staging, 0, params.grads());
    long inCollective = System.nanoTime() - t0;

    long nonFiniteAt = firstNonFinite(staging, gradLength + LOSS + 1);
    if (nonFiniteAt < 0) {
      optimizer.step(backend, params.params(), params.grads(), lr);
    }

    double[] compute = new double[comm.size()];
    double slowest = 0;
    for (int r = 0; r < compute.length; r++) {
      compute[r] = staging[gradLength + COMPUTE + r];
      slowest = Math.max(slowest, compute[r]);
    }
    // Time in the collective = waiting for the slowest rank to arrive + the transfer itself.
    double wait = Math.min(inCollective / 1e9, Math.max(0, slowest - local.computeSeconds()));
    return new StepStats(staging[gradLength + LOSS], Math.round(staging[gradLength + CORRECT]),
        Math.round(staging[gradLength + ROWS]), compute, inCollective / 1e9 - wait, wait, nonFiniteAt);
  }

  /** Index of the first NaN/Inf in {@code values[0, length)}, or -1. One pass over host memory: cheap next to the allreduce. */
  static long firstNonFinite(float[] values, int length) {
    for (int i = 0; i < length; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }
}

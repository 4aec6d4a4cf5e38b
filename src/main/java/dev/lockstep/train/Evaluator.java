package dev.lockstep.train;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.EvalShard;
import dev.lockstep.objective.Accuracy;
import dev.lockstep.objective.Objective;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;

/**
 * Test-set evaluation split across ranks: each rank scores its contiguous shard, then one allreduce of
 * (loss sum, correct, samples) gives every rank exactly the single-rank figures at 1/N of the time.
 */
final class Evaluator {
  record Result(double lossSum, long correct, long samples) {
    double accuracy() {
      return samples == 0 ? Double.NaN : (double) correct / samples;
    }

    double meanLoss() {
      return samples == 0 ? Double.NaN : lossSum / samples;
    }
  }

  private final Communicator comm;
  private final Backend backend;
  private final StepExecutor executor;
  private final Objective objective;
  private final int outWidth;

  Evaluator(Communicator comm, Backend backend, StepExecutor executor, Objective objective, int outWidth) {
    this.comm = comm;
    this.backend = backend;
    this.executor = executor;
    this.objective = objective;
    this.outWidth = outWidth;
  }

  Result evaluate(Dataset test, TargetEncoder targets, int batchSize) {
    EvalShard shard = new EvalShard(test, comm.rank(), comm.size());
    int width = test.width();
    Buf x = backend.allocate((long) batchSize * width);
    float[] xHost = new float[batchSize * width];
    int[] labels = new int[batchSize];
    float[] out = new float[batchSize * outWidth];
    double[] totals = new double[3]; // loss sum, correct, samples
    for (int start = shard.start(); start < shard.end(); start += batchSize) {
      int rows = Math.min(batchSize, shard.end() - start);
      System.arraycopy(test.features(), start * width, xHost, 0, rows * width);
      System.arraycopy(test.labels(), start, labels, 0, rows);
      backend.upload(xHost, 0, x.view(0, (long) rows * width));
      Buf output = executor.infer(x, rows);
      backend.download(output.view(0, (long) rows * outWidth), out, 0);
      totals[0] += objective.loss(out, targets.encode(labels, rows), rows, outWidth);
      totals[1] += Accuracy.countCorrect(out, labels, rows, outWidth);
      totals[2] += rows;
    }
    comm.allreduceSum(totals);
    return new Result(totals[0], Math.round(totals[1]), Math.round(totals[2]));
  }
}

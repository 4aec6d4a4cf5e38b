package dev.lockstep.train;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.data.Batch;
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
  private final RowEncoding encoding;

  Evaluator(Communicator comm, Backend backend, StepExecutor executor, Objective objective, RowEncoding encoding) {
    this.comm = comm;
    this.backend = backend;
    this.executor = executor;
    this.objective = objective;
    this.encoding = encoding;
  }

  Result evaluate(Dataset test, TargetEncoder targets, int batchSize) {
    EvalShard shard = new EvalShard(test, comm.rank(), comm.size(), batchSize);
    Batch batch = Batch.forDataset(test, batchSize);
    int inWidth = encoding.inputWidth(), positions = encoding.positions(), classes = encoding.classes();
    int outWidth = positions * classes;
    Buf x = backend.allocate((long) batchSize * inWidth);
    float[] out = new float[batchSize * outWidth];
    double[] totals = new double[3]; // loss sum, correct, samples
    while (shard.next(batch)) {
      int rows = batch.rows();
      backend.upload(encoding.input(batch), 0, x.view(0, (long) rows * inWidth));
      Buf output = executor.infer(x, rows);
      backend.download(output.view(0, (long) rows * outWidth), out, 0);
      int[] labels = encoding.targets(batch);
      int targetRows = rows * positions; // per position for a sequence model: samples counts characters
      totals[0] += objective.loss(out, targets.encode(labels, targetRows), targetRows, classes);
      totals[1] += Accuracy.correct(out, labels, targetRows, classes);
      totals[2] += targetRows;
    }
    comm.allreduceSum(totals);
    return new Result(totals[0], Math.round(totals[1]), Math.round(totals[2]));
  }
}

package dev.lockstep.train;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.EvalShard;
import dev.lockstep.objective.MetricTally;
import dev.lockstep.objective.Objective;
import dev.lockstep.objective.Targets;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.Locale;
import java.util.Map;

/**
 * Test-set evaluation split across ranks: each rank scores its contiguous shard, then one allreduce of
 * (loss sum, samples, the task's metric sums) gives every rank exactly the single-rank counts at 1/N of the time.
 * The loss is the full objective: data term + the regularisation of the current weights. Text windows are scored
 * per predicted position (rows·positions rows of vocabulary logits), so samples count characters.
 */
final class Evaluator {
  record Result(Task task, double lossSum, long samples, double regularization, Map<String, Object> metrics) {
    double meanLoss() {
      return samples == 0 ? Double.NaN : lossSum / samples + regularization;
    }

    /** Top-1 (or per-label) accuracy; NaN for regression. */
    double accuracy() {
      return metrics.get("accuracy") instanceof Double d ? d : Double.NaN;
    }

    /** The console figures: accuracy for classification (the format scripts grep), more for the others. */
    String describe() {
      String figures = switch (task) {
        case CLASSIFICATION -> String.format(Locale.ROOT, "test accuracy %.4f", accuracy())
            + (metrics.containsKey("top_k_accuracy") ? String.format(Locale.ROOT, " | test top-%s accuracy %s",
                metrics.get("top_k"), format(metrics.get("top_k_accuracy"))) : "");
        case BINARY -> String.format(Locale.ROOT, "test accuracy %.4f | test exact match %s | test log-loss %s",
            accuracy(), format(metrics.get("exact_match")), format(metrics.get("log_loss")));
        case REGRESSION -> "test rmse " + format(metrics.get("rmse")) + " | test mae " + format(metrics.get("mae"))
            + " | test r2 " + format(metrics.get("r2"));
      };
      return String.format(Locale.ROOT, "%s | test loss %.4f (%d samples)", figures, meanLoss(), samples);
    }

    private static String format(Object v) {
      return v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : "-";
    }
  }

  private final Communicator comm;
  private final Backend backend;
  private final StepExecutor executor;
  private final Objective objective;
  private final ObjectiveConfig objectiveConfig;
  private final Task task;
  private final RowEncoding encoding;

  Evaluator(Communicator comm, Backend backend, StepExecutor executor, Objective objective,
            ObjectiveConfig objectiveConfig, Task task, RowEncoding encoding) {
    this.comm = comm;
    this.backend = backend;
    this.executor = executor;
    this.objective = objective;
    this.objectiveConfig = objectiveConfig;
    this.task = task;
    this.encoding = encoding;
  }

  /** Collective: every rank calls it. {@code regularization} is R(w) of the current (identical) weights. */
  Result evaluate(Dataset test, TargetEncoder targets, int batchSize, double regularization) {
    EvalShard shard = new EvalShard(test, comm.rank(), comm.size(), batchSize);
    Batch batch = Batch.forDataset(test, batchSize);
    int inWidth = encoding.inputWidth(), positions = encoding.positions(), classes = encoding.classes();
    int outWidth = positions * classes;
    Buf x = backend.allocate((long) batchSize * inWidth);
    float[] out = new float[batchSize * outWidth];
    MetricTally tally = task.tally(objectiveConfig, classes);
    double lossSum = 0;
    long samples = 0;
    while (shard.next(batch)) {
      int rows = batch.rows();
      backend.upload(encoding.input(batch), 0, x.view(0, (long) rows * inWidth));
      Buf output = executor.infer(x, rows);
      backend.download(output.view(0, (long) rows * outWidth), out, 0);
      Targets t = encoding.targets(batch, targets);
      int targetRows = rows * positions; // per position for a sequence model: samples counts characters
      lossSum += objective.loss(out, t, targetRows, classes);
      tally.add(out, t, targetRows, classes);
      samples += targetRows;
    }
    double[] sums = tally.sums();
    double[] totals = new double[2 + sums.length]; // [loss sum, samples, metric sums...]
    totals[0] = lossSum;
    totals[1] = samples;
    System.arraycopy(sums, 0, totals, 2, sums.length);
    comm.allreduceSum(totals);
    return new Result(task, totals[0], Math.round(totals[1]), regularization,
        tally.results(java.util.Arrays.copyOfRange(totals, 2, totals.length)));
  }
}

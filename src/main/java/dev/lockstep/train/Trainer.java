package dev.lockstep.train;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.Datasets;
import dev.lockstep.data.ShardedBatches;
import dev.lockstep.metrics.MetricsLog;
import dev.lockstep.metrics.PhaseTimer;
import dev.lockstep.metrics.PhaseTimer.Phase;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.Objective;
import dev.lockstep.objective.Objectives;
import dev.lockstep.optim.LrSchedule;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.update.ReplicaCheck;
import dev.lockstep.update.StepReport;
import dev.lockstep.update.StepStats;
import dev.lockstep.update.SyncUpdate;
import dev.lockstep.update.UpdateStrategy;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * One rank's training run, top to bottom: data → model → broadcast weights → for each step: batch, forward,
 * objective, backward, update, log → evaluate each epoch → summary. Everything per rank is a field of this
 * object (several ranks share one JVM under multicore).
 */
public final class Trainer {
  private final LockstepConfig cfg;
  private final Communicator comm;
  private final Backend backend;
  private final PrintStream console;

  public Trainer(LockstepConfig cfg, Communicator comm, Backend backend, PrintStream console) {
    this.cfg = cfg;
    this.comm = comm;
    this.backend = backend;
    this.console = console;
  }

  private boolean lead() {
    return comm.rank() == 0;
  }

  private void say(String line) {
    if (lead()) {
      console.println(line);
      console.flush();
    }
  }

  /** Runs the whole training; returns the run directory (null on ranks other than 0). */
  public Path run(String effectiveConfigYaml) {
    long started = System.nanoTime();
    int rank = comm.rank(), ranks = comm.size();
    int batchPerRank = cfg.data().batchSize();
    int globalBatch = batchPerRank * ranks;

    dev.lockstep.data.TrainTest data = Datasets.load(cfg.data());
    Dataset train = data.train();
    Model model = Model.build(cfg.model(), train.width());
    if (model.outputWidth() != train.numClasses()) {
      throw new IllegalArgumentException(String.format("model.layers: the last layer has %d outputs but %s has %d "
          + "classes", model.outputWidth(), cfg.data().dir(), train.numClasses()));
    }
    Parameters params = new Parameters(model, backend);
    params.initialize(cfg.run().seed());
    Objective objective = Objectives.create(cfg.objective());
    Optimizer optimizer = Optimizers.create(cfg.optimizer(), backend, params.length());
    UpdateStrategy update = new SyncUpdate(comm, backend, params, optimizer, cfg.comm().bucketBytes());
    update.initialize();

    ShardedBatches batches = new ShardedBatches(train, rank, ranks, batchPerRank, cfg.run().seed(),
        cfg.data().shuffle());
    long stepsPerEpoch = batches.stepsPerEpoch();
    if (stepsPerEpoch == 0) {
      throw new IllegalArgumentException(String.format("data.batch_size: %d ranks × %d per rank = %d exceeds the "
          + "%d training samples: no full step fits in an epoch", ranks, batchPerRank, globalBatch, train.size()));
    }
    int epochs = cfg.run().epochs();
    long totalSteps = stepsPerEpoch * epochs;
    if (cfg.run().maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, cfg.run().maxSteps());
      epochs = (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }
    LrSchedule schedule = LrSchedule.of(cfg.optimizer(), totalSteps);
    StepExecutor executor = new StepExecutor(model, params, backend, batchPerRank);
    executor.setGradientListener(update.gradientListener()); // bucketed allreduce starts during backward
    Evaluator evaluator = new Evaluator(comm, backend, executor, objective, model.outputWidth());

    RunDirectory runDir = lead() ? RunDirectory.createFresh(Path.of(cfg.run().outDir()), cfg.run().name()) : null;
    MetricsLog metrics = lead() ? new MetricsLog(runDir.file("metrics.jsonl")) : null;
    if (lead()) {
      runDir.writeAtomically("config.yaml", effectiveConfigYaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      say(String.format("lockstep: %d rank(s) × batch %d on %s | model %s | %d parameters | run directory %s",
          ranks, batchPerRank, backend.name(), model.describe(), params.length(), runDir.path()));
    }

    int outWidth = model.outputWidth();
    Batch batch = new Batch(batchPerRank, train.width());
    Buf xBuf = backend.allocate((long) batchPerRank * train.width());
    Buf dOutBuf = backend.allocate((long) batchPerRank * outWidth);
    float[] out = new float[batchPerRank * outWidth];
    float[] dOut = new float[batchPerRank * outWidth];
    TargetEncoder targets = new TargetEncoder(cfg.objective().type(), outWidth, batchPerRank);

    PhaseTimer timer = new PhaseTimer();
    long step = 0, windowStart = System.nanoTime(), windowSamples = 0, trainSamples = 0;
    double lastLoss = Double.NaN;
    Evaluator.Result lastEval = null;
    long trainStarted = System.nanoTime();
    for (int epoch = 0; epoch < epochs; epoch++) {
      batches.startEpoch(epoch);
      while (batches.next(batch)) {
        long t0 = System.nanoTime();
        int rows = batch.rows();
        params.zeroGrads();
        backend.upload(batch.x(), 0, xBuf.view(0, (long) rows * train.width()));
        Buf output = executor.forward(xBuf, rows);
        backend.download(output.view(0, (long) rows * outWidth), out, 0);
        double lossSum = objective.lossAndGradient(out, targets.encode(batch), rows, outWidth, dOut,
            1f / globalBatch);
        int correct = dev.lockstep.objective.Accuracy.correct(out, batch.labels(), rows, outWidth);
        backend.upload(dOut, 0, dOutBuf.view(0, (long) rows * outWidth));
        executor.backward(dOutBuf, rows);
        backend.synchronize();
        long computed = System.nanoTime() - t0;
        timer.add(Phase.COMPUTE, computed);

        float lr = (float) schedule.lr(step);
        StepStats stats = update.apply(new StepReport(lossSum, correct, rows, computed / 1e9), lr);
        timer.add(Phase.COMMUNICATION, (long) (stats.commSeconds() * 1e9));
        timer.add(Phase.WAIT, (long) (stats.waitSeconds() * 1e9));
        step++;
        windowSamples += stats.rows();
        trainSamples += stats.rows();
        lastLoss = stats.meanLoss();
        if (!Double.isFinite(lastLoss)) {
          throw new IllegalStateException(String.format("loss is %s at step %d (epoch %d): training diverged; "
              + "lower optimizer.lr", lastLoss, step, epoch + 1));
        }

        int checkEvery = cfg.update().checkEvery();
        if (checkEvery > 0 && (step % checkEvery == 0 || step == totalSteps)) {
          ReplicaCheck.requireIdenticalWeights(comm, params.checksum(), step);
        }
        if (step % cfg.output().logEvery() == 0 || step == totalSteps) {
          double window = (System.nanoTime() - windowStart) / 1e9;
          double commShare = timer.secondsSinceMark(Phase.COMMUNICATION) / window;
          double waitShare = timer.secondsSinceMark(Phase.WAIT) / window;
          say(ProgressLine.format(step, totalSteps, epoch + 1, epochs, lastLoss, windowSamples / window,
              commShare, waitShare));
          if (lead()) {
            metrics.record("step").put("step", step).put("epoch", epoch + 1).put("loss", lastLoss)
                .put("accuracy", (double) stats.correct() / stats.rows()).put("lr", lr)
                .put("samples_per_s", windowSamples / window).put("comm_share", commShare)
                .put("wait_share", waitShare).put("elapsed_s", (System.nanoTime() - trainStarted) / 1e9).write();
          }
          timer.mark();
          windowStart = System.nanoTime();
          windowSamples = 0;
        }
        if (step >= totalSteps) {
          break;
        }
      }
      boolean lastEpoch = epoch == epochs - 1 || step >= totalSteps;
      if (cfg.output().evalEachEpoch() || lastEpoch) {
        long te = System.nanoTime();
        lastEval = evaluator.evaluate(data.test(), targets, batchPerRank);
        timer.add(Phase.EVALUATION, System.nanoTime() - te);
        say(String.format(java.util.Locale.ROOT, "epoch %d/%d | test accuracy %.4f | test loss %.4f (%d samples)",
            epoch + 1, epochs, lastEval.accuracy(), lastEval.meanLoss(), lastEval.samples()));
        if (lead()) {
          metrics.record("eval").put("step", step).put("epoch", epoch + 1).put("test_accuracy", lastEval.accuracy())
              .put("test_loss", lastEval.meanLoss()).put("samples", lastEval.samples()).write();
        }
      }
      windowStart = System.nanoTime(); // evaluation is not training throughput
      windowSamples = 0;
      timer.mark();
      if (lastEpoch) {
        break;
      }
    }
    double trainSeconds = (System.nanoTime() - trainStarted) / 1e9 - timer.totalSeconds(Phase.EVALUATION);
    update.close();

    RunSummary summary = RunSummary.gather(comm, params.checksum(), timer, step, trainSamples, trainSeconds,
        lastLoss, lastEval, (System.nanoTime() - started) / 1e9);
    if (lead()) {
      metrics.close();
      runDir.writeAtomically("summary.json", summary.toJson());
      dev.lockstep.state.SafetensorsExport.write(model, params, backend, runDir.file("model.safetensors"));
      say(summary.consoleLine());
      return runDir.path();
    }
    return null;
  }
}

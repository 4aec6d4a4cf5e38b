package dev.lockstep.train;

import dev.lockstep.checkpointing.SegmentPlan;
import dev.lockstep.checkpointing.SegmentPlanner;
import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.config.SimulateFailConfig;
import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.CharVocabulary;
import dev.lockstep.data.PrefetchedBatches;
import dev.lockstep.data.ShardedBatches;
import dev.lockstep.data.TextCorpus;
import dev.lockstep.data.TextWindows;
import dev.lockstep.data.TrainBatches;
import dev.lockstep.lm.LanguageModels;
import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.metrics.MetricsLog;
import dev.lockstep.metrics.RunPlots;
import dev.lockstep.metrics.RunRecords;
import dev.lockstep.metrics.Timeline;
import dev.lockstep.metrics.TraceFile;
import dev.lockstep.metrics.PhaseTimer;
import dev.lockstep.metrics.PhaseTimer.Phase;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.CrossRankSum;
import dev.lockstep.nn.Parameters;
import dev.lockstep.nn.PassContext;
import dev.lockstep.objective.Objective;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.StepObjective;
import dev.lockstep.objective.StepObjectives;
import dev.lockstep.objective.Targets;
import dev.lockstep.optim.LrSchedule;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.update.ReplicaCheck;
import dev.lockstep.update.StepReport;
import dev.lockstep.update.StepStats;
import dev.lockstep.update.UpdateStrategies;
import dev.lockstep.update.UpdateStrategy;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One rank's training run, top to bottom: data → model → broadcast weights → for each step: batch, forward,
 * objective, backward, update, log → evaluate each epoch → summary. Everything per rank is a field of this
 * object (several ranks share one JVM under multicore).
 */
public final class Trainer {
  /** Eager steps of a shape before its step is recorded as a CUDA graph, and graphs kept (shapes) at most. */
  private static final int GRAPH_WARMUP_RUNS = 2, MAX_GRAPHS = 4;

  /** What a recorded step depends on besides its buffers: rows, scale, whether it adds R(w) and zeroes the gradients. */
  private record StepShape(int rows, float gradScale, boolean addsRegularization, boolean zeroesGrads) {}

  private final LockstepConfig cfg;
  private final Communicator comm;
  private final Backend backend;
  private final RunConsole console;
  private Path chosenRunDir; // train --run-dir, or null
  private StopRequest stop = new StopRequest();
  private int attempt;
  private List<Map<String, Object>> restarts = List.of();
  private Consumer<Path> runDirectoryListener = dir -> { };

  /** Plain progress lines on {@code console} (the output of scripts and tests). */
  public Trainer(LockstepConfig cfg, Communicator comm, Backend backend, PrintStream console) {
    this(cfg, comm, backend, ConsoleMode.PLAIN, console, System.err);
  }

  /** {@code out}/{@code err}: the rank's stdout and stderr; {@code mode} decides what rank 0 shows there. */
  public Trainer(LockstepConfig cfg, Communicator comm, Backend backend, ConsoleMode mode, PrintStream out,
                 PrintStream err) {
    this.cfg = cfg;
    this.comm = comm;
    this.backend = backend;
    this.console = new RunConsole(mode, out, err, comm.rank() == 0);
  }

  /**
   * Write the run into exactly {@code dir} (train --run-dir) instead of a fresh {@code <out_dir>/<name>[-N]}; it must
   * be new or empty. Null: the default.
   */
  public Trainer intoRunDirectory(Path dir) {
    this.chosenRunDir = dir;
    return this;
  }

  /**
   * Where this rank learns that it was asked to stop (its JVM's SIGINT/SIGTERM handler sets it). The run stops at the
   * first step boundary at which every rank knows that some rank was asked: in sync that is the step's own small
   * allreduce (no extra collective), elsewhere a one-number allreduce at the points where the replicas are identical
   * and at epoch ends. Then rank 0 snapshots there and every rank throws {@link RunInterrupted}.
   */
  public Trainer stopOn(StopRequest request) {
    this.stop = request;
    return this;
  }

  /**
   * This is attempt {@code attempt} (0 = the first) of a job that the launcher restarted after the failures in
   * {@code restarts} (recorded in summary.json). simulate.fail fires on the first attempt only: it stands for a
   * fault of one moment, which a restart is meant to get past.
   */
  public Trainer attempt(int attempt, List<Map<String, Object>> restarts) {
    this.attempt = attempt;
    this.restarts = List.copyOf(restarts);
    return this;
  }

  /** Told the run directory on rank 0 once it exists (the launcher restarts a failed job from its snapshots). */
  public Trainer onRunDirectory(Consumer<Path> listener) {
    this.runDirectoryListener = listener;
    return this;
  }

  private boolean lead() {
    return comm.rank() == 0;
  }

  private void say(String line) {
    console.info(line);
  }

  /** Where the data came from, for messages: the file, directory or synthetic task. */
  private String dataSource() {
    return switch (cfg.data().format()) {
      case "csv" -> cfg.data().csv().trainFile();
      case "synthetic" -> "the synthetic " + cfg.data().synthetic().task() + " task";
      case "text" -> cfg.data().path();
      default -> cfg.data().dir();
    };
  }

  /** Runs the whole training; returns the run directory (null on ranks other than 0). */
  public Path run(String effectiveConfigYaml) {
    return run(effectiveConfigYaml, null);
  }

  /** Same, continuing from a snapshot ({@code resumeFrom}: a run or snapshot directory) when it is not null. */
  public Path run(String effectiveConfigYaml, Path resumeFrom) {
    long started = System.nanoTime();
    int rank = comm.rank(), ranks = comm.size();
    int batchPerRank = cfg.data().batchSize();
    int accumulate = cfg.update().accumulateSteps(); // micro-batches per step (gradient accumulation)
    int globalBatch = batchPerRank * ranks; // one micro-batch over all ranks
    int effectiveBatch = globalBatch * accumulate; // samples per update

    TextCorpus corpus = cfg.data().format().equals("text") ? TextCorpus.load(cfg.data()) : null;
    dev.lockstep.data.TrainTest data = corpus == null ? DataDistribution.load(cfg.data(), comm) : null;
    Model model;
    RowEncoding encoding;
    Dataset test;
    if (corpus == null) {
      model = Model.build(cfg.model(), InputShape.of(cfg.data(), data.train().width()));
      if (!backend.name().equals("cpu") && model.cpuOnlyLayer().isPresent()) {
        throw new IllegalArgumentException(model.cpuOnlyLayer().get() + " runs on the cpu backend only so far (its "
            + backend.name() + " kernels are not written yet); set backend.device: cpu");
      }
      encoding = RowEncoding.rows(data.train().width(), model.outputWidth());
      test = data.test();
    } else {
      int vocab = corpus.vocabulary().size();
      model = LanguageModels.build(cfg.model(), cfg.data().context(), vocab);
      encoding = RowEncoding.textWindows(cfg.data().context(), model.outputWidth() / vocab, vocab, batchPerRank);
      test = corpus.validationWindows(cfg.data().context(), encoding.positions() == 1 ? 1 : cfg.data().context(),
          cfg.data().limitTest());
    }
    // Text: a classification over every predicted position (targets = next-character ids), labelled like `test`.
    Dataset labelled = corpus == null ? data.train() : test;
    int positions = encoding.positions();
    int classes = encoding.classes(); // the width of one scored row: model outputs, or the vocabulary for text
    Task task = Task.of(cfg.objective(), labelled);
    TargetEncoder targets = TargetEncoder.of(cfg.objective().type(), labelled, classes, batchPerRank * positions,
        dataSource());
    Parameters params = new Parameters(model, backend);
    params.initialize(cfg.run().seed());
    Objective objective = Objectives.create(cfg.objective());
    Optimizer optimizer = Optimizers.create(cfg.optimizer(), backend, params.length());
    RegularizationTerm regularization = new RegularizationTerm(Objectives.regularization(cfg.objective()), params,
        backend);
    MetricsLog[] events = new MetricsLog[1]; // auto's switches: metrics.jsonl event + console line (rank 0)
    UpdateStrategy update = UpdateStrategies.create(cfg, comm, backend, params, optimizer, (at, from, to, why) -> {
      say(String.format("update: switching %s -> %s at step %d: %s", from, to, at, why));
      if (events[0] != null) {
        events[0].record("event").put("event", "update_mode_switch").put("step", at).put("from", from)
            .put("to", to).put("reason", why).write();
      }
    });
    update.initialize();
    SimulatedSlowdown slowdown = new SimulatedSlowdown(cfg.simulate().slowRanks(), rank);

    TrainBatches batches = corpus != null
        ? new TextWindows(corpus.trainIds(), cfg.data().context(), rank, ranks, batchPerRank, accumulate,
            cfg.run().seed())
        : new ShardedBatches(data.train(), rank, ranks, batchPerRank, accumulate, cfg.run().seed(),
            cfg.data().shuffle());
    long stepsPerEpoch = batches.stepsPerEpoch();
    if (stepsPerEpoch == 0) {
      throw new IllegalArgumentException(String.format("data.batch_size: %d ranks × %d per rank × %d micro-batches "
          + "= %d exceeds the %d training samples: no full step fits in an epoch", ranks, batchPerRank, accumulate,
          effectiveBatch, data == null ? 0 : data.train().size()));
    }
    int epochs = cfg.run().epochs();
    long totalSteps = stepsPerEpoch * epochs;
    if (cfg.run().maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, cfg.run().maxSteps());
      epochs = (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }
    SimulatedFailure failure = new SimulatedFailure(attempt == 0 ? cfg.simulate().fail()
        : new SimulateFailConfig(null, null, null), rank, ranks, System.err);
    // Snapshot positions count a rank's samples per step (all its micro-batches), so that a resume with another
    // number of ranks finds the same place in the data order.
    Resume.Start start = resumeFrom == null ? Resume.Start.FRESH : Resume.restore(resumeFrom, effectiveConfigYaml,
        comm, backend, params, optimizer, batchPerRank * accumulate, (int) stepsPerEpoch, this::say);
    totalSteps = start.totalSteps(totalSteps, stepsPerEpoch, ranks, cfg.run());
    LrSchedule schedule = LrSchedule.of(cfg.optimizer(), totalSteps);
    SegmentPlan plan = SegmentPlanner.fromConfig(cfg.checkpointing(), model, batchPerRank);
    StepExecutor executor = new StepExecutor(model, params, backend, batchPerRank, plan);
    Evaluator evaluator = new Evaluator(comm, backend, executor, objective, cfg.objective(), task, encoding);
    // Bucketed allreduce starts during backward — of a step's last micro-batch only: the others accumulate locally.
    // Not with sync batch norm: its allreduce in backward must not race the comm thread.
    dev.lockstep.checkpointing.GradientListener overlap = model.reducesInBackward() ? null : update.gradientListener();
    CrossRankSum rankSums = ranks == 1 ? CrossRankSum.SINGLE : new CrossRankSum() {
      @Override
      public int ranks() {
        return ranks;
      }

      @Override
      public void sum(double[] values) {
        comm.allreduceSum(values);
      }
    };

    RunDirectory runDir = LeadSetup.run(comm, () -> {
      RunDirectory dir = start.resumed() ? RunDirectory.existing(start.runDir())
          : chosenRunDir != null ? OutputPreflight.createExactRunDirectory(chosenRunDir)
          : OutputPreflight.createRunDirectory(Path.of(cfg.run().outDir()), cfg.run().name());
      OutputPreflight.check(dir.path(), 4L * params.length() + (Snapshots.enabled(cfg.output())
          ? OutputPreflight.snapshotBytes(params.length(), optimizer.stateBuffers().size()) : 0));
      return dir;
    });
    if (lead()) {
      runDirectoryListener.accept(runDir.path());
    }
    MetricsLog metrics = lead() ? new MetricsLog(runDir.file("metrics.jsonl"), start.resumed(), console.recordMirror()) : null;
    Snapshots snapshots = new Snapshots(cfg.output(), lead(), params, optimizer, backend, schedule,
        cfg.optimizer().schedule().type(), totalSteps, effectiveConfigYaml, ranks, batchPerRank * accumulate,
        lead() ? runDir.path() : null, start.step(), this::say);
    events[0] = metrics;
    if (lead()) {
      if (start.resumed()) {
        metrics.record("resume").put("step", start.step()).put("snapshot", start.snapshotDir().toString())
            .put("ranks", ranks).put("snapshot_ranks", start.snapshotRanks()).write();
      }
      runDir.writeAtomically("config.yaml", effectiveConfigYaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (corpus == null && !data.train().classNames().isEmpty()) {
        runDir.writeAtomically("classes.json", ClassMapping.json(cfg.data(), data.train().classNames()));
      }
      say(String.format("lockstep: %d rank(s) × batch %d%s (effective batch %d) on %s | model %s | %d parameters | "
          + "activations %s/rank, checkpointing %s | run directory %s", ranks, batchPerRank,
          accumulate > 1 ? " × " + accumulate + " micro-batches" : "", effectiveBatch, backend.name(),
          model.describe(), params.length(), SegmentPlan.bytes(executor.activationBytes(batchPerRank)),
          plan.summary(), runDir.path()));
      java.util.Map<String, Object> startFields = new java.util.LinkedHashMap<>();
      startFields.put("ranks", ranks);
      startFields.put("batch_per_rank", batchPerRank);
      startFields.put("accumulate_steps", accumulate);
      startFields.put("effective_batch", effectiveBatch);
      startFields.put("backend", backend.name());
      startFields.put("parameters", params.length());
      startFields.put("steps", totalSteps);
      startFields.put("epochs", epochs);
      startFields.put("first_step", start.step() + 1);
      console.jsonRecord("start", runDir.path(), startFields);
      if (corpus != null) {
        runDir.writeAtomically(CharVocabulary.FILE, corpus.vocabulary().toJson());
        say(String.format(java.util.Locale.ROOT, "text: %d file(s), %d training and %d validation characters, "
            + "vocabulary %d, windows of %d | unigram baseline %.3f bits/char", corpus.files(),
            corpus.trainIds().length, corpus.validationIds().length, corpus.vocabulary().size(),
            cfg.data().context(), corpus.unigramBitsPerChar()));
      }
    }

    int outWidth = model.outputWidth();
    int inWidth = encoding.inputWidth();
    // The next batch is gathered on a background thread while the current step runs.
    PrefetchedBatches prefetched = new PrefetchedBatches(batches, () -> corpus == null
        ? Batch.forDataset(data.train(), batchPerRank) : new Batch(batchPerRank, cfg.data().context() + 1),
        "lockstep-batches-rank-" + rank);
    Batch batch;
    Buf xBuf = backend.allocate((long) batchPerRank * inWidth);
    Buf dOutBuf = backend.allocate((long) batchPerRank * outWidth);
    // On CUDA the fused objective kernels: no output download and no gradient upload per step.
    StepObjective stepObjective = StepObjectives.create(objective, backend, batchPerRank * positions, classes,
        task::correct, task::hits);
    // The step's device work as one CUDA graph per shape, where nothing in it waits for the device: the objective on
    // the device, every layer replayable, no bucket allreduce started during backward (that downloads buckets).
    boolean replayable = stepObjective.onDevice() && update.gradientListener() == null
        && model.layers().stream().allMatch(l -> l.replayable(backend));
    StepGraphs<StepShape> graphs = replayable ? new StepGraphs<>(backend::capture, GRAPH_WARMUP_RUNS, MAX_GRAPHS,
        this::say) : StepGraphs.eager();

    PhaseTimer timer = new PhaseTimer();
    long step = start.step(), windowStart = System.nanoTime(), windowSamples = 0, trainSamples = 0;
    double lastLoss = Double.NaN;
    Timeline timeline = cfg.output().trace() ? new Timeline() : null;
    if (timeline != null) {
      comm.barrier(); // a common time zero for every rank's spans
      timeline.start();
    }
    long trainStarted = System.nanoTime();
    TestEvaluation evaluations = new TestEvaluation(evaluator, test, targets, batchPerRank, regularization, timer,
        timeline, metrics, corpus != null, epochs, trainStarted, cfg.output().evalEverySteps(), step, this::say);
    for (int epoch = start.epoch(); epoch < epochs; epoch++) {
      int firstStep = epoch == start.epoch() ? start.stepInEpoch() : 0;
      prefetched.seek(epoch, firstStep);
      console.startEpoch(epoch + 1, epochs, Math.min(stepsPerEpoch - firstStep, totalSteps - step));
      while (step < totalSteps && (batch = prefetched.next()) != null) {
        comm.publishStep(step + 1); // stall warnings and failure messages name it
        long t0 = System.nanoTime();
        boolean ownMean = update.localGradientMean(); // local SGD: each replica steps on its own batch's mean
        int meanOver = (ownMean ? batchPerRank : globalBatch) * accumulate; // the step's batch: all micro-batches
        float gradScale = 1f / (meanOver * positions);
        boolean addsRegularization = lead() || ownMean;
        int targetRows = 0;
        long[] forwardEnd = {0};
        for (int micro = 0; micro < accumulate; micro++) { // backward adds each micro-batch's gradient to the sum
          if (micro > 0 && (batch = prefetched.next()) == null) {
            throw new IllegalStateException("micro-batch " + micro + " of step " + (step + 1) + " is missing");
          }
          int rows = batch.rows();
          // Dropout keys on the global row: micro-batch m of rank r holds rows [(m·N + r)·B, …) of the step's batch.
          executor.setPass(new PassContext(true, cfg.run().seed(), step, ((long) micro * ranks + rank) * batchPerRank,
              rankSums, false));
          backend.upload(encoding.input(batch), 0, xBuf.view(0, (long) rows * inWidth));
          Targets stepTargets = encoding.targets(batch, targets);
          int microRows = rows * positions; // one target per position: each scored as a row of `classes` outputs
          targetRows += microRows;
          stepObjective.stage(stepTargets, microRows, classes);
          boolean first = micro == 0, last = micro == accumulate - 1;
          executor.setGradientListener(last ? overlap : null); // only the last micro-batch communicates
          forwardEnd[0] = 0;
          graphs.run(new StepShape(rows, gradScale, addsRegularization && last, first), () -> {
            if (first) {
              params.zeroGrads();
            }
            Buf output = executor.forward(xBuf, rows);
            stepObjective.launch(output.view(0, (long) rows * outWidth), microRows, classes,
                dOutBuf.view(0, (long) rows * outWidth), gradScale);
            forwardEnd[0] = System.nanoTime();
            executor.backward(dOutBuf, rows);
            if (last) {
              regularization.addToStep(stepObjective, addsRegularization, meanOver * positions);
            }
          });
        }
        double[] figures = stepObjective.take(); // waits for the device: the step's compute ends here
        if (forwardEnd[0] == 0) { // replayed: forward and backward are one launch
          forwardEnd[0] = System.nanoTime();
        }
        double lossSum = figures[0];
        int correct = (int) figures[1];
        backend.synchronize();
        slowdown.stretch(step, System.nanoTime() - t0);
        long backwardEnd = System.nanoTime();
        long computed = backwardEnd - t0;
        timer.add(Phase.COMPUTE, computed);
        failure.at(step + 1, params, backend);

        float lr = (float) schedule.lr(step);
        StepStats stats = update.apply(new StepReport(lossSum, correct, targetRows, computed / 1e9,
            stop.requested()), lr);
        if (timeline != null) {
          recordStep(timeline, t0, forwardEnd[0], backwardEnd, stats, System.nanoTime());
        }
        console.step(stats.meanLoss(), stats.correct(), stats.rows(), stats.commSeconds());
        timer.add(Phase.COMMUNICATION, (long) (stats.commSeconds() * 1e9));
        timer.add(Phase.WAIT, (long) (stats.waitSeconds() * 1e9));
        step++;
        windowSamples += stats.rows();
        trainSamples += stats.rows();
        lastLoss = stats.meanLoss();
        if (stats.updateSkipped()) { // stop throws; skip_step goes on without this step's update
          String skipped = NonFiniteStep.handle(cfg.update().onNonfinite(), stats, step, epoch + 1, params);
          say(skipped);
          if (lead()) {
            metrics.record("skip").put("step", step).put("epoch", epoch + 1).put("reason", skipped).write();
          }
        }

        int checkEvery = cfg.update().checkEvery();
        if (checkEvery > 0 && update.replicasInSync() && (step % checkEvery == 0 || step == totalSteps)) {
          ReplicaCheck.requireIdenticalWeights(comm, params.checksum(), step);
        }
        if (step % cfg.output().logEvery() == 0 || step == totalSteps) {
          double window = (System.nanoTime() - windowStart) / 1e9;
          double commShare = timer.secondsSinceMark(Phase.COMMUNICATION) / window;
          double waitShare = timer.secondsSinceMark(Phase.WAIT) / window;
          console.progressLine(ProgressLine.format(step, totalSteps, epoch + 1, epochs, lastLoss,
              windowSamples / window, commShare, waitShare));
          if (lead()) {
            var record = metrics.record("step").put("step", step).put("epoch", epoch + 1).put("loss", lastLoss);
            if (task.hasAccuracy()) {
              record.put("accuracy", (double) stats.correct() / stats.rows());
            }
            record.put("lr", lr).put("samples_per_s", windowSamples / window).put("comm_share", commShare)
                .put("wait_share", waitShare).put("elapsed_s", (System.nanoTime() - trainStarted) / 1e9).write();
          }
          timer.mark();
          windowStart = System.nanoTime();
          windowSamples = 0;
        }
        long identicalStep = update.identicalStep(step); // -1 between local SGD's rounds, in parameter server phases
        snapshots.afterStep(identicalStep, epoch, prefetched.stepInEpoch());
        // Only where every rank computes the same answer: identicalStep is the same on all (local SGD: not `step`).
        if (identicalStep >= 0 && identicalStep < totalSteps
            && (stats.stopVotes() >= 0 ? stats.stopVotes() > 0 : stopVoted())) {
          interrupt(snapshots, metrics, runDir, identicalStep, epoch, prefetched.stepInEpoch());
        }
        boolean epochEnds = step >= totalSteps || update.endsEpoch();
        // Whether this step ends the epoch is the same on every rank only while they step together (sync).
        boolean epochEvaluationFollows = update.replicasInSync() && (epochEnds
            || prefetched.stepInEpoch() == stepsPerEpoch) && (cfg.output().evalEachEpoch() || epoch == epochs - 1
            || step >= totalSteps);
        windowStart += evaluations.afterStep(identicalStep, epoch, epochEvaluationFollows); // not throughput
        if (epochEnds) {
          break;
        }
      }
      console.endEpoch();
      step = update.synchronize(step); // async: identical weights again; the furthest rank's step count
      boolean epochDone = prefetched.stepInEpoch() == stepsPerEpoch;
      boolean lastEpoch = epoch == epochs - 1 || step >= totalSteps;
      if (cfg.output().evalEachEpoch() || lastEpoch) {
        evaluations.atEpochEnd(step, epoch);
      }
      if (epochDone) {
        snapshots.afterEpoch(step, epoch);
      }
      windowStart = System.nanoTime(); // evaluation is not training throughput
      windowSamples = 0;
      timer.mark();
      if (lastEpoch) {
        break;
      }
      if (stopVoted()) { // asynchronous phases reach agreement only here
        interrupt(snapshots, metrics, runDir, step, epoch + 1, 0);
      }
    }
    double trainSeconds = (System.nanoTime() - trainStarted) / 1e9 - timer.totalSeconds(Phase.EVALUATION);
    update.close();
    graphs.close();
    prefetched.close();

    TraceGather.Gathered trace = timeline == null ? null : TraceGather.gather(comm, timeline);
    RunSummary summary = RunSummary.gather(comm, params.checksum(), timer, step, trainSamples, trainSeconds,
        lastLoss, evaluations.last(), (System.nanoTime() - started) / 1e9);
    summary.checkpointing(plan, batchPerRank);
    summary.put("batch_per_rank", batchPerRank);
    summary.put("accumulate_steps", accumulate);
    summary.put("effective_batch", effectiveBatch); // samples per update: accumulate × batch_per_rank × ranks
    summary.put("compression", cfg.comm().compression());
    summary.put("update", update.summary());
    if (!restarts.isEmpty()) {
      summary.put("restarts", restarts);
    }
    update.close();
    if (lead()) {
      metrics.close();
      runDir.writeAtomically("summary.json", summary.toJson());
      dev.lockstep.state.SafetensorsExport.write(model, params, backend, runDir.file("model.safetensors"));
      if (trace != null) {
        TraceFile.write(runDir.file("trace.json"), trace.spansPerRank(), trace.truncated());
      }
      if (cfg.output().plots()) {
        RunPlots.write(List.of(RunRecords.read(runDir.path())), runDir.file("plots"));
      }
      console.summary(summary.consoleLine(), runDir.path());
      console.jsonRecord("summary", runDir.path(), summary.fields());
      return runDir.path();
    }
    return null;
  }

  /** Collective: whether any rank was asked to stop (a one-number allreduce). */
  private boolean stopVoted() {
    long[] votes = {stop.requested() ? 1 : 0};
    comm.allreduceSum(votes);
    return votes[0] > 0;
  }

  /**
   * Every rank, at the same boundary ({@code step} done, next is step {@code nextStepInEpoch} of {@code epoch}):
   * rank 0 snapshots there (unless output.snapshot_on_interrupt is false) and says how to resume; the barrier keeps
   * every rank alive until it has, since the first rank to end takes a multicore job with it.
   */
  private void interrupt(Snapshots snapshots, MetricsLog metrics, RunDirectory runDir, long step, int epoch,
                         int nextStepInEpoch) {
    Path snapshot = cfg.output().snapshotOnInterrupt() ? snapshots.onInterrupt(step, epoch, nextStepInEpoch) : null;
    console.endEpoch(); // a progress bar ends its line first
    if (lead()) {
      var record = metrics.record("interrupted").put("step", step).put("signal", stop.signal());
      if (snapshot != null) {
        record.put("snapshot", snapshot.toString());
      }
      record.write();
      metrics.close();
      console.notice("lockstep: interrupted at step " + step + (snapshot != null
          ? "; resume: lockstep train --resume " + runDir.path()
          : "; no snapshot written (output.snapshot_on_interrupt is false)"));
    }
    comm.barrier();
    throw new RunInterrupted(step, stop.signal());
  }

  /**
   * The step's spans: forward (with the objective), backward, then inside the update the collective — its wait for
   * the slowest rank first, the transfer after — and the optimizer step in what remains.
   */
  private static void recordStep(Timeline timeline, long start, long forwardEnd, long backwardEnd, StepStats stats,
                                 long updateEnd) {
    timeline.span(Timeline.Kind.FORWARD, start, forwardEnd);
    timeline.span(Timeline.Kind.BACKWARD, forwardEnd, backwardEnd);
    long waitEnd = backwardEnd + (long) (stats.waitSeconds() * 1e9);
    long commEnd = waitEnd + (long) (stats.commSeconds() * 1e9);
    if (waitEnd > backwardEnd) {
      timeline.span(Timeline.Kind.WAIT, backwardEnd, waitEnd);
    }
    timeline.span(Timeline.Kind.ALLREDUCE, waitEnd, commEnd);
    timeline.span(Timeline.Kind.OPTIMIZER, commEnd, Math.max(commEnd, updateEnd));
  }
}

package dev.lockstep.train;

import dev.lockstep.config.OutputConfig;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.LrSchedule;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.state.Snapshot;
import dev.lockstep.state.SnapshotWriter;
import dev.lockstep.state.TrainingPosition;
import dev.lockstep.tensor.Backend;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * When to snapshot (output.save_every_steps / save_every_epochs) and pruning (output.keep_last). Only rank 0
 * writes, and only where its weights are every rank's: in sync after any step, in local SGD after an averaging round
 * (its optimizer state is then rank 0's own), and at epoch ends. No collective is involved, so a rank 0
 * that fails to write ends the run like any failing rank (exit 3) while the earlier snapshots stay intact.
 */
final class Snapshots {
  private final OutputConfig out;
  private final boolean writer;
  private final Parameters params;
  private final Optimizer optimizer;
  private final Backend backend;
  private final LrSchedule schedule;
  private final String scheduleType;
  private final long totalSteps;
  private final String configYaml;
  private final int ranks;
  private final int batchPerRank;
  private final Path checkpoints; // null on ranks other than 0
  private final Consumer<String> say;
  private long lastSavedStep = -1;
  private Path lastSaved; // rank 0: the directory of the newest snapshot written by this run
  private final StepMarks stepMarks;

  Snapshots(OutputConfig out, boolean writer, Parameters params, Optimizer optimizer, Backend backend,
            LrSchedule schedule, String scheduleType, long totalSteps, String configYaml, int ranks, int batchPerRank,
            Path runDir, long firstStep, Consumer<String> say) {
    this.out = out;
    this.stepMarks = new StepMarks(out.saveEverySteps(), firstStep);
    this.writer = writer;
    this.params = params;
    this.optimizer = optimizer;
    this.backend = backend;
    this.schedule = schedule;
    this.scheduleType = scheduleType;
    this.totalSteps = totalSteps;
    this.configYaml = configYaml;
    this.ranks = ranks;
    this.batchPerRank = batchPerRank;
    this.checkpoints = runDir == null ? null : runDir.resolve("checkpoints");
    this.say = say;
  }

  static boolean enabled(OutputConfig out) {
    return out.saveEverySteps() > 0 || out.saveEveryEpochs() > 0;
  }

  /**
   * After a step. {@code identicalStep}: the step every rank agrees on when the replicas are identical now, else -1
   * ({@link dev.lockstep.update.UpdateStrategy#identicalStep}) — a snapshot of one async replica between averaging
   * rounds would be neither the model nor resumable as one. Saves at the first such point at or after each multiple
   * of save_every_steps (in sync: exactly there); the next step is {@code nextStepInEpoch} of {@code epoch}.
   */
  void afterStep(long identicalStep, int epoch, int nextStepInEpoch) {
    if (stepMarks.reached(identicalStep)) {
      save(new TrainingPosition(identicalStep, epoch, nextStepInEpoch, ranks, batchPerRank));
    }
  }

  /** After epoch {@code epoch} (0-based) ended, evaluation included, with {@code step} steps done. */
  void afterEpoch(long step, int epoch) {
    if (out.saveEveryEpochs() > 0 && (epoch + 1) % out.saveEveryEpochs() == 0) {
      save(new TrainingPosition(step, epoch + 1, 0, ranks, batchPerRank));
    }
  }

  /**
   * The run was interrupted after {@code step} (next is step {@code nextStepInEpoch} of {@code epoch}): snapshot there
   * unless that step was just saved. Returns the snapshot directory on rank 0, null elsewhere.
   */
  Path onInterrupt(long step, int epoch, int nextStepInEpoch) {
    if (lastSavedStep != step) {
      save(new TrainingPosition(step, epoch, nextStepInEpoch, ranks, batchPerRank));
    }
    return lastSaved;
  }

  private void save(TrainingPosition position) {
    lastSavedStep = position.step();
    if (!writer) {
      return;
    }
    Snapshot s = Snapshot.capture(position, params, optimizer, backend, scheduleType, totalSteps,
        schedule.lr(position.step()), configYaml);
    Path dir = SnapshotWriter.write(checkpoints, s);
    lastSaved = dir;
    SnapshotWriter.prune(checkpoints, out.keepLast());
    say.accept("snapshot: " + dir);
  }

  long lastSavedStep() {
    return lastSavedStep;
  }
}

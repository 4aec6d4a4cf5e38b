package dev.lockstep.train;

import dev.lockstep.data.Dataset;
import dev.lockstep.metrics.MetricsLog;
import dev.lockstep.metrics.PhaseTimer;
import dev.lockstep.metrics.PhaseTimer.Phase;
import dev.lockstep.metrics.Timeline;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * When to evaluate on the test set, and the report of each evaluation: the console line, the metrics.jsonl "eval"
 * record (rank 0) and the evaluation's time, kept out of training throughput. Epoch ends evaluate as always;
 * output.eval_every_steps adds evaluations within epochs at every multiple of N steps, taken at the first point from
 * that step on where the replicas are identical on every rank (every step in sync; local SGD's averaging rounds) —
 * a mark that falls on an epoch end is left to the epoch's own evaluation.
 */
final class TestEvaluation {
  private final Evaluator evaluator;
  private final Dataset test;
  private final TargetEncoder targets;
  private final int batchPerRank;
  private final RegularizationTerm regularization;
  private final PhaseTimer timer;
  private final Timeline timeline; // null without output.trace
  private final MetricsLog metrics; // rank 0 only
  private final boolean text;
  private final int epochs;
  private final long trainStarted;
  private final Consumer<String> say;
  private final StepMarks marks;
  private Evaluator.Result last;

  TestEvaluation(Evaluator evaluator, Dataset test, TargetEncoder targets, int batchPerRank,
                 RegularizationTerm regularization, PhaseTimer timer, Timeline timeline, MetricsLog metrics,
                 boolean text, int epochs, long trainStarted, long everySteps, long step, Consumer<String> say) {
    this.evaluator = evaluator;
    this.test = test;
    this.targets = targets;
    this.batchPerRank = batchPerRank;
    this.regularization = regularization;
    this.timer = timer;
    this.timeline = timeline;
    this.metrics = metrics;
    this.text = text;
    this.epochs = epochs;
    this.trainStarted = trainStarted;
    this.say = say;
    this.marks = new StepMarks(everySteps, step);
  }

  /**
   * Collective, after a step: evaluates when {@code identicalStep} (the strategy's agreed step, -1 when the replicas
   * differ now) has reached the next mark. {@code epochEndsHere}: sync only (where every rank knows it alike) — the
   * epoch's own evaluation follows, so the mark is left to it. Returns the nanoseconds it took (0 without one), for
   * the caller to keep out of its throughput window.
   */
  long afterStep(long identicalStep, int epoch, boolean epochEndsHere) {
    if (test.size() == 0 || !marks.reached(identicalStep) || epochEndsHere) {
      return 0;
    }
    long t0 = System.nanoTime();
    evaluate(identicalStep, epoch, true);
    return System.nanoTime() - t0;
  }

  /** Collective, at an epoch end (the replicas identical again). */
  void atEpochEnd(long step, int epoch) {
    if (test.size() > 0) {
      evaluate(step, epoch, false);
      marks.reached(step); // a mark this evaluation covers is passed
    }
  }

  /** The latest evaluation; null before the first. */
  Evaluator.Result last() {
    return last;
  }

  private void evaluate(long step, int epoch, boolean withinEpoch) {
    long te = System.nanoTime();
    last = evaluator.evaluate(test, targets, batchPerRank, regularization.value());
    long evaluated = System.nanoTime();
    timer.add(Phase.EVALUATION, evaluated - te);
    if (timeline != null) {
      timeline.span(Timeline.Kind.EVALUATION, te, evaluated);
    }
    // Epoch ends keep the line scripts grep ("epoch 3/8 | test accuracy ..."); within an epoch the step leads.
    String where = withinEpoch ? String.format(Locale.ROOT, "step %d (epoch %d/%d)", step, epoch + 1, epochs)
        : String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs);
    say.accept(text ? String.format(Locale.ROOT, "%s | validation loss %.4f | %.3f bits/char | accuracy %.4f "
        + "(%d characters)", where, last.meanLoss(), last.meanLoss() / Math.log(2), last.accuracy(), last.samples())
        : where + " | " + last.describe());
    if (metrics != null) {
      var record = metrics.record("eval").put("step", step).put("epoch", epoch + 1);
      if (withinEpoch) {
        record.put("within_epoch", true);
      }
      last.metrics().forEach((name, value) -> {
        if (value instanceof Number n) {
          record.put("test_" + name, n.doubleValue());
        }
      });
      record.put("test_loss", last.meanLoss()).put("samples", last.samples());
      if (text) {
        record.put("bits_per_char", last.meanLoss() / Math.log(2));
      }
      double elapsed = (evaluated - trainStarted) / 1e9;
      // train_s: the wall time so far without evaluations (time-to-accuracy on training time)
      record.put("elapsed_s", elapsed).put("train_s", elapsed - timer.totalSeconds(Phase.EVALUATION)).write();
    }
  }
}

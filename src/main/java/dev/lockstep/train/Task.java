package dev.lockstep.train;

import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.data.Dataset;
import dev.lockstep.objective.Accuracy;
import dev.lockstep.objective.BinaryTally;
import dev.lockstep.objective.ClassificationTally;
import dev.lockstep.objective.MetricTally;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.RegressionTally;
import dev.lockstep.objective.Targets;
import dev.lockstep.tensor.ObjectiveKernels;

/**
 * What kind of problem a run solves, from the objective and the data's targets; it picks the metrics. Binary
 * cross-entropy is binary/multi-label; class labels (or target distributions for cross_entropy and
 * kl_divergence) are classification; value targets with mse/mae/huber are regression.
 */
enum Task {
  CLASSIFICATION, BINARY, REGRESSION;

  static Task of(ObjectiveConfig objective, Dataset train) {
    String type = objective.type();
    if (type.equals("binary_cross_entropy")) {
      return BINARY;
    }
    if (train.hasLabels()) {
      return CLASSIFICATION;
    }
    if (Objectives.REGRESSION_OBJECTIVES.contains(type)) {
      return REGRESSION;
    }
    if (type.equals("hinge")) {
      throw new IllegalArgumentException("objective.type: hinge needs class labels, but the data has "
          + train.targetWidth() + " target value(s) per sample (use data.csv.target_type: class, or a classification "
          + "task)");
    }
    return CLASSIFICATION; // cross_entropy / kl_divergence against target distributions
  }

  /** Whether a training step reports an accuracy (regression has none). */
  boolean hasAccuracy() {
    return this != REGRESSION;
  }

  /** Step accuracy numerator: rows predicted right (all labels right, for binary/multi-label). */
  int correct(float[] output, Targets targets, int rows, int cols) {
    return switch (this) {
      case CLASSIFICATION -> Accuracy.correct(output, targets, rows, cols);
      case BINARY -> {
        int hits = 0;
        for (int r = 0; r < rows; r++) {
          boolean all = true;
          for (int c = 0; c < cols && all; c++) {
            all = (output[r * cols + c] > 0) == (targets.values()[r * cols + c] > 0.5f);
          }
          hits += all ? 1 : 0;
        }
        yield hits;
      }
      case REGRESSION -> 0;
    };
  }

  /** The same rule as {@link #correct} for the device objective kernels, given the step's targets. */
  ObjectiveKernels.Hits hits(Targets targets) {
    return switch (this) {
      case CLASSIFICATION -> targets.classes() != null ? ObjectiveKernels.Hits.ARGMAX_CLASS
          : ObjectiveKernels.Hits.ARGMAX_VALUES;
      case BINARY -> ObjectiveKernels.Hits.ALL_LABELS;
      case REGRESSION -> ObjectiveKernels.Hits.NONE;
    };
  }

  MetricTally tally(ObjectiveConfig objective, int outWidth) {
    return switch (this) {
      case CLASSIFICATION -> new ClassificationTally(outWidth, objective.topK(), objective.confusionMatrix());
      case BINARY -> new BinaryTally();
      case REGRESSION -> new RegressionTally(outWidth);
    };
  }
}

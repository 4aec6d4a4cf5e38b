package dev.lockstep.train;

import dev.lockstep.data.Batch;
import dev.lockstep.objective.Targets;

/**
 * Turns a batch's class labels into what the objective expects: class ids for cross-entropy, one-hot rows for
 * regression-style objectives (mse) trained on a classification dataset. Reuses its buffers.
 */
final class TargetEncoder {
  private final boolean oneHot;
  private final int classes;
  private final float[] values;

  TargetEncoder(String objectiveType, int classes, int maxRows) {
    this.oneHot = !objectiveType.equals("cross_entropy");
    this.classes = classes;
    this.values = oneHot ? new float[maxRows * classes] : null;
  }

  Targets encode(Batch batch) {
    return encode(batch.labels(), batch.rows());
  }

  Targets encode(int[] labels, int rows) {
    if (!oneHot) {
      return Targets.ofClasses(labels);
    }
    java.util.Arrays.fill(values, 0, rows * classes, 0f);
    for (int r = 0; r < rows; r++) {
      values[r * classes + labels[r]] = 1f;
    }
    return Targets.ofValues(values, classes);
  }
}

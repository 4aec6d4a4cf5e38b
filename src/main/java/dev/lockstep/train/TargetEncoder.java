package dev.lockstep.train;

import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.Targets;

/**
 * Turns a batch's targets into what the objective expects, and says which model output width that needs.
 * Value datasets pass their rows through. Class labels stay class ids for cross_entropy and hinge; for a single
 * binary_cross_entropy output on two classes they become 0/1; otherwise (mse, mae, huber, kl_divergence,
 * multi-output binary_cross_entropy) they become one-hot rows. Reuses its buffers.
 */
final class TargetEncoder {
  private enum Kind { CLASS_IDS, BINARY_VALUE, ONE_HOT, VALUES }

  private final Kind kind;
  private final int width;
  private final float[] values;

  private TargetEncoder(Kind kind, int width, int maxRows) {
    this.kind = kind;
    this.width = width;
    this.values = kind == Kind.BINARY_VALUE || kind == Kind.ONE_HOT ? new float[maxRows * width] : null;
  }

  /**
   * @param outWidth the model's output width, checked against the data
   * @param source   where the data came from, for the error message
   */
  static TargetEncoder of(String objectiveType, Dataset train, int outWidth, int maxRows, String source) {
    if (!train.hasLabels()) {
      requireWidth(outWidth, train.targetWidth(), train.targetWidth() + " target value(s) per sample", source);
      return new TargetEncoder(Kind.VALUES, outWidth, maxRows);
    }
    int classes = train.numClasses();
    if (objectiveType.equals("binary_cross_entropy") && classes == 2 && outWidth == 1) {
      return new TargetEncoder(Kind.BINARY_VALUE, 1, maxRows);
    }
    requireWidth(outWidth, classes, classes + " classes", source);
    return new TargetEncoder(Objectives.CLASS_ID_OBJECTIVES.contains(objectiveType) ? Kind.CLASS_IDS : Kind.ONE_HOT,
        classes, maxRows);
  }

  private static void requireWidth(int outWidth, int needed, String what, String source) {
    if (outWidth != needed) {
      throw new IllegalArgumentException(String.format("model.layers: the last layer has %d outputs but %s has %s",
          outWidth, source, what));
    }
  }

  Targets encode(Batch batch) {
    return kind == Kind.VALUES ? Targets.ofValues(batch.values(), width) : encode(batch.labels(), batch.rows());
  }

  /** Class labels {@code labels[0, rows)} (of a batch, or a text batch's per-position ids) as the objective's. */
  Targets encode(int[] labels, int rows) {
    switch (kind) {
      case CLASS_IDS:
        return Targets.ofClasses(labels);
      case VALUES:
        throw new IllegalStateException("value targets have no class labels");
      case BINARY_VALUE:
        for (int r = 0; r < rows; r++) {
          values[r] = labels[r];
        }
        return Targets.ofValues(values, 1);
      default:
        java.util.Arrays.fill(values, 0, rows * width, 0f);
        for (int r = 0; r < rows; r++) {
          values[r * width + labels[r]] = 1f;
        }
        return Targets.ofValues(values, width);
    }
  }
}
